/*
 * The one rule for text, on every entry point (the API, forms, CSV files, the CLI) and both
 * stores: a string may hold any Unicode text but NUL (U+0000) and unpaired UTF-16 surrogates.
 * PostgreSQL cannot store either (and SQLite would store what PostgreSQL refuses), so the item that
 * holds one is refused with this reason, naming the field; in a batch only that item is.
 */

/** Why such a string is refused. */
export const unstorableTextReason =
  'contains a character that cannot be stored: NUL (U+0000) or an unpaired surrogate';

// eslint-disable-next-line no-control-regex -- NUL is the character this rule is about
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** @example isStorableText('a\u0000b') // false */
export function isStorableText(text: string): boolean {
  return !unstorable.test(text);
}

/** An object of parsed input (JSON, a query, path parameters), not a stream, a buffer or a date. */
function isParsedObject(value: object): boolean {
  return (
    typeof (value as { pipe?: unknown }).pipe !== 'function' &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof Date)
  );
}

/**
 * Where in a value (objects and arrays walked, their keys included) the first string that is not
 * storable sits, as the path of keys and indexes; null when there is none. `[]` is the value itself.
 *
 * @example findUnstorableText({ a: ['ok', 'x\u0000'] }) // ['a', '1']
 */
export function findUnstorableText(value: unknown, path: readonly string[] = []): string[] | null {
  if (typeof value === 'string') return isStorableText(value) ? null : [...path];
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnstorableText(item, [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null && isParsedObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (!isStorableText(key)) return [...path];
      const found = findUnstorableText(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
