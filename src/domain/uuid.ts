/** Any UUID shape (version bits unchecked: lesson ids come from the source and are opaque), either case. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

export function isUuid(text: string): boolean {
  return typeof text === 'string' && UUID.test(text);
}

/** The UUID lower-cased, so equal ids compare equal; null when it is not one. */
export function normaliseUuid(text: string): string | null {
  return isUuid(text) ? text.toLowerCase() : null;
}
