/**
 * People with touches the kept reports have not looked at yet (capture counts each person's new
 * touches in `activity_version`; `attribution_version` is how far the kept reports have looked).
 * A new touch is not marked by a trigger, which would cost ingest: this marks, for such people,
 * what their touches can move stale — the credit of their deals (migration 0046) and the fate of
 * their handovers (0050) — and marks them looked at, in one transaction.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { retryingConflicts } from '../../db/dialect.ts';

/**
 * Up to `limit` people not looked at yet: their deals (as the main person, in a role, or at the
 * deal's account) and their handovers are marked stale and they are marked looked at. The people
 * first, then the deals and the handovers, in the order the writers of touches lock them. How
 * many people.
 */
export async function markTouchedPeople(db: Db, limit: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('contacts')
      .select('id')
      .where((eb) => eb('attribution_version', '<', eb.ref('activity_version')))
      .limit(limit)
      .execute();
    if (due.length === 0) return 0;
    const ids = sql.join(due.map((r) => r.id));
    await sql`update contacts set attribution_version = activity_version where id in (${ids})`.execute(trx);
    await sql`update attribution_live_credits set changes = changes + 1 where opportunity_id in (
      select opportunity_id from opportunity_contacts where contact_id in (${ids})
      union all select id from opportunities where contact_id in (${ids})
      union all select o.id from contacts p join opportunities o on o.account_id = p.account_id
        where p.id in (${ids}))`.execute(trx);
    await sql`update handoff_fates set changes = changes + 1 where contact_id in (${ids})`.execute(trx);
    return due.length;
  });
}

/** Marks everyone not looked at yet, in batches (a kept report does this before it reads). */
export async function markAllTouchedPeople(db: Db): Promise<void> {
  const batch = 500;
  while ((await retryingConflicts(() => markTouchedPeople(db, batch))) === batch);
}
