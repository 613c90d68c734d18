import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { isoText, retryingConflicts, sqliteValues, withBooleansBound } from './dialect.ts';

describe('retryingConflicts', () => {
  const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });

  it('runs the work again after a deadlock, and returns what it returns', async () => {
    let calls = 0;
    const result = await retryingConflicts(async () => {
      calls++;
      if (calls < 3) throw deadlock;
      return 'stored';
    });
    expect([result, calls]).toEqual(['stored', 3]);
  });

  it('gives up after the tries, and throws any other error at once', async () => {
    let calls = 0;
    await expect(
      retryingConflicts(async () => {
        calls++;
        throw deadlock;
      }, 2),
    ).rejects.toBe(deadlock);
    expect(calls).toBe(2);
    calls = 0;
    const other = Object.assign(new Error('unique'), { code: '23505' });
    await expect(
      retryingConflicts(async () => {
        calls++;
        throw other;
      }),
    ).rejects.toBe(other);
    expect(calls).toBe(1);
  });
});

describe('isoText', () => {
  it('keeps the ISO text SQLite returns, formats the Date PostgreSQL returns, and normalises any other text', () => {
    const text = '2026-12-01T12:00:00.000Z';
    expect(isoText(text)).toBe(text);
    expect(isoText(new Date(text))).toBe(text);
    // Text not in toDbTime's form (an offset, no milliseconds) comes back in it, the same instant.
    expect(isoText('2026-12-01T13:00:00+01:00')).toBe(text);
    expect(isoText('2026-12-01T12:00:00Z')).toBe(text);
  });
});

describe('withBooleansBound', () => {
  it('binds booleans as 1 and 0 wherever a Kysely query has them, and leaves other values alone', async () => {
    const sqlite = new SQLite(':memory:');
    const db = new Kysely<{ flags: { id: number; name: string; is_on: number } }>({
      dialect: new SqliteDialect({ database: withBooleansBound(sqlite) }),
    });
    try {
      await sql`create table flags (id integer primary key, name text not null, is_on integer not null)`.execute(
        db,
      );
      // In values, in a batch, in a where clause, in an in-list and in raw SQL.
      await db
        .insertInto('flags')
        .values([
          { id: 1, name: 'on', is_on: true as unknown as number },
          { id: 2, name: 'off', is_on: false as unknown as number },
        ])
        .execute();
      await sql`insert into flags (id, name, is_on) values (${3}, ${'raw'}, ${true})`.execute(db);
      expect(await db.selectFrom('flags').selectAll().orderBy('id').execute()).toEqual([
        { id: 1, name: 'on', is_on: 1 },
        { id: 2, name: 'off', is_on: 0 },
        { id: 3, name: 'raw', is_on: 1 },
      ]);
      const on = await db
        .selectFrom('flags')
        .select('id')
        .where('is_on', '=', true as unknown as number)
        .orderBy('id')
        .execute();
      expect(on.map((r) => r.id)).toEqual([1, 3]);
      const listed = await db
        .selectFrom('flags')
        .select('id')
        .where('is_on', 'in', [false as unknown as number])
        .execute();
      expect(listed.map((r) => r.id)).toEqual([2]);
      // Streaming binds them too.
      const streamed = [];
      for await (const row of db
        .selectFrom('flags')
        .select('name')
        .where('is_on', '=', true as unknown as number)
        .stream())
        streamed.push(row.name);
      expect(streamed).toEqual(['on', 'raw']);
    } finally {
      await db.destroy();
    }
  });

  it('passes values without a boolean through as the same array, and copies the rest', () => {
    const plain = ['a', 1, null, 2.5, 10n, Buffer.from('x')];
    expect(sqliteValues(plain)).toBe(plain);
    const mixed = ['a', true, 0, false];
    expect(sqliteValues(mixed)).toEqual(['a', 1, 0, 0]);
    expect(mixed).toEqual(['a', true, 0, false]);
  });
});
