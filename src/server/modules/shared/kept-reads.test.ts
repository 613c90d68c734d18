import { sql } from 'kysely';
import { beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../testing/databases.ts';
import { addUser, createTestContext, type TestContext } from '../../testing/world.ts';
import { createKeptReads } from './kept-reads.ts';
import { readTableVersion } from './table-versions.repository.ts';

const cli = { kind: 'cli' } as const;

describeEachDialect('reads kept while a table’s version stays', (getDatabase, dialect) => {
  let context: TestContext;
  let deal: (name: string) => Promise<string>;
  beforeEach(async () => {
    context = createTestContext(getDatabase());
    const rep = await addUser(context, 'sales_rep');
    deal = async (name) =>
      (
        await context.services.opportunities.create(cli, {
          name,
          ownerId: rep.id,
          amountMinor: 100_000,
          currency: 'EUR',
        })
      ).id;
  });
  const version = () => readTableVersion(context.database.db, 'opportunities');

  it('raises the deals’ version with every committed insert, update and delete, and not for one rolled back', async () => {
    const start = await version();
    const a = await deal('A');
    const afterInsert = await version();
    expect(afterInsert).toBeGreaterThan(start);
    await context.database.db
      .updateTable('opportunities')
      .set({ name: 'A, renamed' })
      .where('id', '=', a)
      .execute();
    const afterUpdate = await version();
    expect(afterUpdate).toBeGreaterThan(afterInsert);
    await expect(
      context.database.db.transaction().execute(async (trx) => {
        await trx.updateTable('opportunities').set({ name: 'never' }).where('id', '=', a).execute();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await version()).toBe(afterUpdate);
    await context.database.db
      .deleteFrom('opportunity_stage_changes')
      .where('opportunity_id', '=', a)
      .execute();
    await context.database.db.deleteFrom('opportunities').where('id', '=', a).execute();
    expect(await version()).toBeGreaterThan(afterUpdate);
  });

  it('keeps a read while the version stays, and loads it again after any change, by whoever made it', async () => {
    const a = await deal('A');
    const kept = createKeptReads(context.database.db, 'opportunities');
    let loads = 0;
    const names = () =>
      kept.read('names', async () => {
        loads += 1;
        const rows = await context.database.db
          .selectFrom('opportunities')
          .select('name')
          .orderBy('name')
          .execute();
        return rows.map((r) => r.name);
      });
    expect(await names()).toEqual(['A']);
    expect(await Promise.all([names(), names()])).toEqual([['A'], ['A']]);
    expect(loads).toBe(1);
    // A write that no service of this process made: raw SQL, as another instance or an import.
    await sql`update opportunities set name = ${'A2'} where id = ${a}`.execute(context.database.db);
    expect(await names()).toEqual(['A2']);
    expect(loads).toBe(2);
    await deal('B');
    expect(await names()).toEqual(['A2', 'B']);
    expect(loads).toBe(3);
    // Another key is its own read.
    expect(await kept.read('count', async () => 2)).toBe(2);
    expect(await names()).toEqual(['A2', 'B']);
    expect(loads).toBe(3);
  });

  it('does not keep a load that failed', async () => {
    const kept = createKeptReads(context.database.db, 'opportunities');
    await expect(kept.read('x', () => Promise.reject(new Error('store away')))).rejects.toThrow('store away');
    expect(await kept.read('x', async () => 'loaded')).toBe('loaded');
  });

  if (dialect === 'postgres') {
    it('raises the version once per transaction, at its commit, so writers of deals never wait for each other on it', async () => {
      const a = await deal('A');
      const b = await deal('B');
      const c = await deal('C');
      const start = await version();
      let wrote!: () => void;
      const written = new Promise<void>((resolve) => (wrote = resolve));
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      // One transaction writes two deals and stays open.
      const open = context.database.db.transaction().execute(async (trx) => {
        await trx.updateTable('opportunities').set({ name: 'A1' }).where('id', '=', a).execute();
        await trx.updateTable('opportunities').set({ name: 'B1' }).where('id', '=', b).execute();
        wrote();
        await finished;
      });
      let meanwhile: number;
      try {
        await written;
        // Another writes a third deal and commits meanwhile: it would wait for the open one's
        // lock on the version if that were taken at its first write (the lock timeout turns that
        // wait into this test's failure instead of a hang).
        await context.database.db.transaction().execute(async (trx) => {
          await sql`set local lock_timeout = '10s'`.execute(trx);
          await trx.updateTable('opportunities').set({ name: 'C1' }).where('id', '=', c).execute();
        });
        meanwhile = await version();
        expect(meanwhile).toBe(start + 1);
      } finally {
        finish();
        await open;
      }
      // The open transaction's two writes raised it once, when it committed.
      expect(await version()).toBe(meanwhile + 1);
    });
  }
});
