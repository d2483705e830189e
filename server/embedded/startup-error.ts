/** A problem the user can fix (the message says how); the all-in-one prints its message without a stack. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
