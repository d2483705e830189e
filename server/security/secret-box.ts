/**
 * The contract for secrets at rest: integration credentials and OAuth tokens are stored sealed (AES-256-GCM under
 * a key from the environment, with old keys kept for reading) and opened only inside the process that uses them.
 * The implementation is `createSecretBox` in ./secrets.ts.
 */
export interface SecretBox {
  /** Seals a plaintext under the current key. The output names the key it was sealed with. */
  seal(plaintext: string): string;
  /** Opens a sealed value under whichever configured key sealed it; throws SecretUnreadable otherwise. */
  open(sealed: string): string;
  /** Whether a sealed value was sealed under an old key (and should be re-sealed on its next write). */
  isStale(sealed: string): boolean;
}
