import {
  PostgresAdapter,
  sql,
  type Expression,
  type RawBuilder,
  type Kysely,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';

/**
 * Every difference between SQLite and PostgreSQL that repositories meet lives in this file
 * (docs/adr/0002-time-and-money.md). Repositories write plain values and read through these helpers.
 */
export type DialectName = 'sqlite' | 'postgres';

export function dialectOf(db: Pick<Kysely<never>, 'getExecutor'>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Instants are stored as ISO 8601 UTC strings (SQLite text) or timestamptz (PostgreSQL). */
export function toDbTime(instant: Date): string {
  return instant.toISOString();
}

export function fromDbTime(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/**
 * An instant read from the store as ISO 8601 text: SQLite's text is already that (toDbTime wrote
 * it) and is returned as it is; PostgreSQL's Date is formatted.
 */
export function isoText(value: Date | string): string {
  return typeof value === 'string' && value.length === 24 && value.endsWith('Z')
    ? value
    : fromDbTime(value).toISOString();
}

export function fromDbTimeOrNull(value: Date | string | null): Date | null {
  return value === null ? null : fromDbTime(value);
}

export function fromDbBool(value: boolean | number): boolean {
  return value === true || value === 1;
}

/** JSON is text in SQLite and jsonb in PostgreSQL. */
export function fromDbJson(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}

/** Whether a database error is a unique-constraint violation, and on which constraint or column. */
export function uniqueViolation(error: unknown): { detail: string } | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as { code?: unknown; message?: string; constraint?: string; detail?: string };
  if (e.code === '23505') return { detail: `${e.constraint ?? ''} ${e.detail ?? ''}` };
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return { detail: e.message ?? '' };
  }
  return null;
}

/**
 * Whether a database error is PostgreSQL ending a transaction to break a deadlock (40P01) or
 * because it could not be serialised (40001): nothing of it was stored, and it may be run again.
 */
export function transientConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

/**
 * Runs a transaction again (up to `tries` times in all) when PostgreSQL ended it to break a
 * deadlock or a serialisation failure: for work that locks rows in its own order while others lock
 * them in theirs. Nothing of a transaction ended that way was stored. Any other error is thrown.
 */
export async function retryingConflicts<T>(work: () => Promise<T>, tries = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= tries || !transientConflict(error)) throw error;
    }
  }
}

/** `text` with LIKE's wildcards (and its escape) escaped, for `likeSql`. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A LIKE pattern that matches `text` (lower-cased) anywhere, for `likeSql`. */
export function containsPattern(text: string): string {
  return `%${escapeLike(text.toLowerCase())}%`;
}

/** A LIKE pattern that matches what begins with `text`, for `likeSql`. */
export function startsWithPattern(text: string): string {
  return `${escapeLike(text)}%`;
}

/**
 * `expression LIKE pattern ESCAPE '\'`: the escape named, as SQLite has none by default (there a
 * search for "a_b" escaped for PostgreSQL found nothing), so both dialects match the same rows.
 */
export function likeSql(expression: Expression<unknown>, pattern: string): RawBuilder<boolean> {
  return sql<boolean>`${expression} like ${pattern} escape '\\'`;
}

/**
 * better-sqlite3 cannot bind booleans: Kysely's statements on SQLite bind them as 1 and 0, turned
 * in the values as they are bound. (A plugin did it before by copying every query's syntax tree,
 * node by node and frozen, to change the booleans in it: 88 ms of a 5.5 s profile of one-event
 * requests, nearly all for queries with no boolean.)
 */
export function withBooleansBound(database: SqliteDatabase): SqliteDatabase {
  const bound = new WeakMap<SqliteStatement, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(text) {
      const statement = database.prepare(text);
      let wrapped = bound.get(statement);
      if (!wrapped) {
        wrapped = {
          reader: statement.reader,
          all: (values) => statement.all(sqliteValues(values)),
          run: (values) => statement.run(sqliteValues(values)),
          iterate: (values) => statement.iterate(sqliteValues(values)),
        };
        bound.set(statement, wrapped);
      }
      return wrapped;
    },
  };
}

/** The values as SQLite binds them: a boolean as 1 or 0; the same array when it holds none. */
export function sqliteValues(values: readonly unknown[]): readonly unknown[] {
  let index = 0;
  while (index < values.length && typeof values[index] !== 'boolean') index++;
  if (index === values.length) return values;
  return values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
}

/**
 * SQLite's `indexed by` for a statement whose best index the planner misjudges (an empty clause on
 * PostgreSQL). SQLite refuses the statement if the index is gone, so a renamed index fails loudly.
 */
export function indexedBySql(db: Pick<Kysely<never>, 'getExecutor'>, index: string): RawBuilder<unknown> {
  return dialectOf(db) === 'postgres' ? sql`` : sql`indexed by ${sql.ref(index)}`;
}

/**
 * Runs a statement that sorts a period's values (a median of a year's waits sorts a million rows)
 * with room to sort in memory: on PostgreSQL in a transaction of its own whose `work_mem` is 64 MB
 * (`set local`). With the server's default of 4 MB the sort spilled to disk: a year's speed to
 * lead of every rep took 7.0 s instead of 3.9 s. Only such statements get it: with 64 MB for every
 * statement, the funnel's count of furthest stages changed plan and took 2.9 s instead of 1.3 s.
 * On SQLite, or inside a transaction already, `work` runs as it is.
 */
export async function withSortMemory<D, T>(db: Kysely<D>, work: (db: Kysely<D>) => Promise<T>): Promise<T> {
  if (dialectOf(db) !== 'postgres' || db.isTransaction) return work(db);
  return db.transaction().execute(async (trx) => {
    await sql`set local work_mem = '64MB'`.execute(trx);
    return work(trx);
  });
}

/** An instant column as milliseconds since the epoch (an integer on both dialects). */
export function epochMsSql(
  db: Pick<Kysely<never>, 'getExecutor'>,
  column: RawBuilder<unknown>,
): RawBuilder<number> {
  return dialectOf(db) === 'postgres'
    ? sql<number>`(extract(epoch from ${column}) * 1000)::bigint`
    : sql<number>`cast(unixepoch(${column}, 'subsec') * 1000 as integer)`;
}

/** Joins a group's texts with a separator: group_concat in SQLite, string_agg in PostgreSQL. */
export function stringAggSql(
  db: Pick<Kysely<never>, 'getExecutor'>,
  expression: RawBuilder<unknown>,
  separator: string,
): RawBuilder<string> {
  return dialectOf(db) === 'postgres'
    ? sql<string>`string_agg(${expression}, ${separator})`
    : sql<string>`group_concat(${expression}, ${separator})`;
}

/** An instant column's month in UTC as `YYYY-MM` (stored instants are ISO text in SQLite). */
export function utcMonthSql(
  db: Pick<Kysely<never>, 'getExecutor'>,
  column: RawBuilder<unknown>,
): RawBuilder<string> {
  return dialectOf(db) === 'postgres'
    ? sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM')`
    : sql<string>`substr(${column}, 1, 7)`;
}

/**
 * `column IN (values)` with one bound value, whatever the list's length: a JSON array read by
 * json_each on SQLite, an array on PostgreSQL (typed as the column's, so its index serves). The statement's text is the same for every
 * list, so it is prepared once (SQLite) and never carries thousands of placeholders; for long lists
 * of ids (a sweep's leads, a batch's addresses) instead of Kysely's `in` with one value each.
 */
export function inListSql(
  db: Pick<Kysely<never>, 'getExecutor'>,
  column: string,
  values: readonly string[],
): RawBuilder<boolean> {
  return dialectOf(db) === 'postgres'
    ? sql<boolean>`${sql.ref(column)} = any(${[...values]})`
    : sql<boolean>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`;
}

/**
 * Serialises transactions that name the same keys, until they end, across every process on the
 * store: on PostgreSQL a transaction-scoped advisory lock per key (taken in a fixed order, so two
 * callers never deadlock); on SQLite nothing more is needed, as every transaction
 * begins `immediate` and so holds the one write lock from its start.
 */
export async function lockKeysInTransaction(
  trx: Pick<Kysely<never>, 'getExecutor'>,
  keys: readonly string[],
): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  for (const key of [...new Set(keys)].sort()) {
    await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
  }
}
