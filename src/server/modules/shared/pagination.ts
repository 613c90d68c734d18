import { createError } from './errors.ts';

/**
 * Cursors are opaque to clients: base64url of the last id of the page. Lists are ordered by id,
 * and ids are UUIDv7, so newest-first order is stable under concurrent inserts.
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string' && /^[0-9a-f-]{36}$/.test(parsed.after)) return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw notACursor();
}

/** Asks for one row more than the page, to know whether there is a next page. */
export function toPage<T extends { id: string }>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(items[items.length - 1]!.id) };
}

/** A cursor after a row of a list ordered by an instant (newest first), then by id. */
export function encodeMomentCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify({ at, after: id })).toString('base64url');
}

export function decodeMomentCursor(cursor: string | undefined): { at: string; id: string } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      at?: unknown;
      after?: unknown;
    };
    if (
      typeof parsed.at === 'string' &&
      !Number.isNaN(Date.parse(parsed.at)) &&
      typeof parsed.after === 'string' &&
      /^[0-9a-f-]{36}$/.test(parsed.after)
    )
      return { at: new Date(parsed.at).toISOString(), id: parsed.after };
  } catch {
    // fall through to the error below
  }
  throw notACursor();
}

function notACursor() {
  return createError('http.validation_failed', 'cursor: not a cursor Baton gave out', [
    { field: 'query.cursor', reason: 'not a cursor Baton gave out' },
  ]);
}
