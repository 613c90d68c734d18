import { sql } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../testing/databases.ts';
import { openDatabase } from './database.ts';

describeEachDialect('the store’s connections', (getDatabase, dialect) => {
  it.runIf(dialect === 'postgres')(
    'turn off PostgreSQL’s just-in-time compilation, which cost a report more than it saved',
    async () => {
      const { rows } = await sql<{ jit: string }>`select current_setting('jit') as jit`.execute(
        getDatabase().db,
      );
      expect(rows).toEqual([{ jit: 'off' }]);
    },
  );

  it.runIf(dialect === 'postgres')(
    'let a sort use 64 MB before it spills to disk, as configured, or leave the server’s setting',
    async () => {
      const workMem = async (db: ReturnType<typeof openDatabase>['db']) =>
        (await sql<{ w: string }>`select current_setting('work_mem') as w`.execute(db)).rows[0]!.w;
      expect(await workMem(getDatabase().db)).toBe('64MB');
      const url = (getDatabase() as { url?: string }).url!;
      // What a connection without Baton's options gets: the server's own setting.
      const plain = new pg.Client({ connectionString: url });
      await plain.connect();
      const server = (await plain.query<{ work_mem: string }>('show work_mem').finally(() => plain.end()))
        .rows[0]!.work_mem;
      for (const [workMemMb, expected] of [
        [16, '16MB'],
        [0, server],
      ] as const) {
        const other = openDatabase({ dialect: 'postgres', url, poolMax: 1, workMemMb });
        try {
          expect(await workMem(other.db)).toBe(expected);
        } finally {
          await other.close();
        }
      }
    },
  );
});
