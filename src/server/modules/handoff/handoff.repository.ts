import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
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
