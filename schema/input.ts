/** GraphQL gives explicit nulls for omitted optional fields; the operations treat absent and null alike. */
export function compact(input: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined));
}
