import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import type { MarketingCommitmentsTable } from '../../db/tables.ts';

export type CommitmentRow = Selectable<MarketingCommitmentsTable>;

export async function insertCommitment(db: Db, row: Insertable<MarketingCommitmentsTable>): Promise<void> {
  await db.insertInto('marketing_commitments').values(row).execute();
}

export async function findCommitmentById(db: Db, id: string): Promise<CommitmentRow | undefined> {
  return db.selectFrom('marketing_commitments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Commitments overlapping the local dates from `from` to `to` (either open), by start. */
export async function findCommitments(
  db: Db,
  range: { from?: string | undefined; to?: string | undefined },
): Promise<CommitmentRow[]> {
  let query = db.selectFrom('marketing_commitments').selectAll();
  if (range.from) query = query.where('ends_on', '>=', range.from);
  if (range.to) query = query.where('starts_on', '<=', range.to);
  return query.orderBy('starts_on').orderBy('period').execute();
}

export async function updateCommitmentRow(
  db: Db,
  id: string,
  patch: Updateable<MarketingCommitmentsTable>,
): Promise<void> {
  await db.updateTable('marketing_commitments').set(patch).where('id', '=', id).execute();
}

export async function deleteCommitmentRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('marketing_commitments').where('id', '=', id).execute();
}

/** Commitments whose pace has not been judged for the day after their end yet (still to track). */
export async function findCommitmentsToTrack(db: Db, startedBy: string): Promise<CommitmentRow[]> {
  return db
    .selectFrom('marketing_commitments')
    .selectAll()
    .where('starts_on', '<=', startedBy)
    .where((eb) => eb.or([eb('pace_checked_on', 'is', null), eb('pace_checked_on', '<=', eb.ref('ends_on'))]))
    .execute();
}

/**
 * Records the day's verdict if no one else did: of two processes checking the same day, one
 * changes the row (and sends the alert), the other changes nothing.
 */
export async function recordPaceIf(
  db: Db,
  id: string,
  seen: string | null,
  verdict: { checkedOn: string; status: string },
): Promise<boolean> {
  const result = await db
    .updateTable('marketing_commitments')
    .set({ pace_checked_on: verdict.checkedOn, pace_status: verdict.status })
    .where('id', '=', id)
    .where((eb) => (seen === null ? eb('pace_checked_on', 'is', null) : eb('pace_checked_on', '=', seen)))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The leads that became MQLs between two instants (each once, at its first entry), with the first
 * decision a person took on each afterwards: the stage it moved to from `mql`, and when.
 */
export async function findDeliveredMqls(db: Db, from: Date, to: Date) {
  const [entries, decisions] = await Promise.all([
    db
      .selectFrom('stage_changes')
      .select(['contact_id', (eb) => eb.fn.min('occurred_at').as('became_mql')])
      .where('to_stage', '=', 'mql')
      .where('occurred_at', '>=', toDbTime(from))
      .where('occurred_at', '<', toDbTime(to))
      .groupBy('contact_id')
      .execute(),
    db
      .selectFrom('stage_changes')
      .select(['contact_id', 'to_stage', 'occurred_at'])
      .where('from_stage', '=', 'mql')
      .where('actor_kind', '=', 'user')
      .where('occurred_at', '>=', toDbTime(from))
      .where('contact_id', 'in', (eb) =>
        eb
          .selectFrom('stage_changes')
          .select('contact_id')
          .where('to_stage', '=', 'mql')
          .where('occurred_at', '>=', toDbTime(from))
          .where('occurred_at', '<', toDbTime(to)),
      )
      .orderBy('occurred_at')
      .execute(),
  ]);
  return { entries, decisions };
}
