import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../testing/databases.ts';

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
});
