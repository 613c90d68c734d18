import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import type { HandoffSettingsTable, QualificationsTable, RejectionReasonsTable } from '../../db/tables.ts';

export type RejectionReasonRow = Selectable<RejectionReasonsTable>;
export type HandoffSettingsRow = Selectable<HandoffSettingsTable>;

export async function findRejectionReasons(db: Db): Promise<RejectionReasonRow[]> {
  return db.selectFrom('rejection_reasons').selectAll().orderBy('position').orderBy('key').execute();
}

export async function findRejectionReason(db: Db, key: string): Promise<RejectionReasonRow | undefined> {
  return db.selectFrom('rejection_reasons').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function insertRejectionReason(db: Db, row: Insertable<RejectionReasonsTable>): Promise<void> {
  await db.insertInto('rejection_reasons').values(row).execute();
}

export async function updateRejectionReasonRow(
  db: Db,
  key: string,
  patch: Updateable<RejectionReasonsTable>,
): Promise<void> {
  await db.updateTable('rejection_reasons').set(patch).where('key', '=', key).execute();
}

export async function findHandoffSettings(db: Db): Promise<HandoffSettingsRow> {
  return db.selectFrom('handoff_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function updateHandoffSettingsRow(
  db: Db,
  patch: Updateable<HandoffSettingsTable>,
): Promise<void> {
  await db.updateTable('handoff_settings').set(patch).where('id', '=', 1).execute();
}

export async function insertQualification(db: Db, row: Insertable<QualificationsTable>): Promise<void> {
  await db.insertInto('qualifications').values(row).execute();
}

export async function findQualificationsOfContact(db: Db, contactId: string) {
  return db
    .selectFrom('qualifications')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('occurred_at')
    .execute();
}

/**
 * Everything the fate of the leads handed over between two instants needs: each lead's first
 * entry into `mql` in the range, the lead, its grade, and its routing decisions, stage changes,
 * opportunities from the start of the range on, and the campaign and form of its last marketing
 * touch before its handover.
 */
export async function findHandedOver(db: Db, from: Date, to: Date) {
  const range = [toDbTime(from), toDbTime(to)] as const;
  const handedOver = db
    .selectFrom('stage_changes')
    .select('contact_id')
    .where('to_stage', '=', 'mql')
    .where('occurred_at', '>=', range[0])
    .where('occurred_at', '<', range[1]);
  const firstMql = db
    .selectFrom('stage_changes')
    .select(['contact_id', (eb) => eb.fn.min('occurred_at').as('mql_at')])
    .where('to_stage', '=', 'mql')
    .where('occurred_at', '>=', range[0])
    .where('occurred_at', '<', range[1])
    .groupBy('contact_id')
    .as('e');
  const [entries, contacts, assignments, changes, opportunities, forms] = await Promise.all([
    // Each lead's first handover in the period, with the campaign and the form of its last
    // marketing touch before it: one backward step in the lead's touches (contact, time index)
    // rather than all of them read.
    db
      .selectFrom(firstMql)
      .select((eb) => {
        // The lead's last marketing touch at or before its handover that has `column`.
        const lastTouch = (column: 't.campaign' | 't.source_id') => {
          let touch = eb
            .selectFrom('touchpoints as t')
            .select(column)
            .whereRef('t.contact_id', '=', 'e.contact_id')
            .whereRef('t.occurred_at', '<=', 'e.mql_at')
            .where('t.category', '=', 'marketing')
            .where(column, 'is not', null)
            .where(column, '<>', '');
          if (column === 't.source_id') touch = touch.where('t.source_kind', '=', 'form');
          return touch.orderBy('t.occurred_at', 'desc').orderBy('t.id', 'desc').limit(1);
        };
        return [
          'e.contact_id',
          'e.mql_at',
          lastTouch('t.campaign').as('campaign'),
          lastTouch('t.source_id').as('form_id'),
        ];
      })
      .execute(),
    db
      .selectFrom('contacts as c')
      .leftJoin('contact_scores as s', 's.contact_id', 'c.id')
      .select([
        'c.id',
        'c.email',
        'c.first_name',
        'c.last_name',
        'c.original_source',
        'c.stage',
        'c.owner_id',
        's.grade',
      ])
      .where('c.id', 'in', handedOver)
      .execute(),
    db
      .selectFrom('assignments')
      .select(['contact_id', 'user_id', 'assigned_at'])
      .where('contact_id', 'in', handedOver)
      .where('assigned_at', '>=', range[0])
      .orderBy('assigned_at')
      .execute(),
    db
      .selectFrom('stage_changes')
      .select([
        'contact_id',
        'from_stage',
        'to_stage',
        'occurred_at',
        'actor_kind',
        'actor_id',
        'reason_code',
      ])
      .where('contact_id', 'in', handedOver)
      .where('occurred_at', '>=', range[0])
      .orderBy('occurred_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('opportunities')
      .select(['id', 'contact_id', 'status', 'amount_minor', 'currency', 'created_at', 'closed_on'])
      .where('contact_id', 'in', handedOver)
      .orderBy('created_at')
      .execute(),
    db.selectFrom('forms').select(['id', 'name']).execute(),
  ]);
  return { entries, contacts, assignments, changes, opportunities, forms };
}
