import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Visibility } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import type {
  OpportunitiesTable,
  OpportunityContactsTable,
  OpportunityStageChangesTable,
  OpportunityStagesTable,
} from '../../db/tables.ts';

export type OpportunityRow = Selectable<OpportunitiesTable>;
export type OpportunityStageRow = Selectable<OpportunityStagesTable>;

export async function findOpportunityStages(db: Db): Promise<OpportunityStageRow[]> {
  return db.selectFrom('opportunity_stages').selectAll().orderBy('position').execute();
}

export async function findOpportunityById(db: Db, id: string): Promise<OpportunityRow | undefined> {
  return db.selectFrom('opportunities').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOpportunityByExternalId(
  db: Db,
  externalId: string,
): Promise<OpportunityRow | undefined> {
  return db.selectFrom('opportunities').selectAll().where('external_id', '=', externalId).executeTakeFirst();
}

export interface OpportunityFilter {
  status?: string | undefined;
  ownerId?: string | undefined;
  accountId?: string | undefined;
  contactId?: string | undefined;
}

/** Newest first, after `beforeId` (the cursor), limited to what the visibility allows. */
export async function findOpportunities(
  db: Db,
  filter: OpportunityFilter,
  visibility: Visibility,
  limit: number,
  beforeId?: string,
): Promise<OpportunityRow[]> {
  let query = db.selectFrom('opportunities').selectAll();
  if (visibility.kind === 'owned_by') {
    if (visibility.userIds.length === 0) return [];
    query = query.where('owner_id', 'in', visibility.userIds);
  }
  if (filter.status) query = query.where('status', '=', filter.status as 'open');
  if (filter.ownerId) query = query.where('owner_id', '=', filter.ownerId);
  if (filter.accountId) query = query.where('account_id', '=', filter.accountId);
  if (filter.contactId)
    query = query.where((eb) =>
      eb.or([
        eb('contact_id', '=', filter.contactId!),
        eb(
          'id',
          'in',
          eb
            .selectFrom('opportunity_contacts')
            .select('opportunity_id')
            .where('contact_id', '=', filter.contactId!),
        ),
      ]),
    );
  if (beforeId) query = query.where('id', '<', beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export async function insertOpportunity(db: Db, row: Insertable<OpportunitiesTable>): Promise<void> {
  await db.insertInto('opportunities').values(row).execute();
}

/** Changes an opportunity only if it is still in `stage` (two moves at once: one wins). */
export async function updateOpportunityIf(
  db: Db,
  id: string,
  stage: string | null,
  patch: Updateable<OpportunitiesTable>,
): Promise<boolean> {
  let query = db.updateTable('opportunities').set(patch).where('id', '=', id);
  if (stage !== null) query = query.where('stage', '=', stage);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertOpportunityStageChange(
  db: Db,
  row: Insertable<OpportunityStageChangesTable>,
): Promise<void> {
  await db.insertInto('opportunity_stage_changes').values(row).execute();
}

export async function findOpportunityHistory(db: Db, id: string) {
  return db
    .selectFrom('opportunity_stage_changes')
    .selectAll()
    .where('opportunity_id', '=', id)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}

export async function replaceOpportunityContacts(
  db: Db,
  id: string,
  rows: readonly Insertable<OpportunityContactsTable>[],
): Promise<void> {
  await db.deleteFrom('opportunity_contacts').where('opportunity_id', '=', id).execute();
  if (rows.length > 0)
    await db
      .insertInto('opportunity_contacts')
      .values([...rows])
      .execute();
}

export async function findOpportunityContacts(db: Db, ids: readonly string[]) {
  const result = new Map<string, { contactId: string; role: string }[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return result;
  const rows = await db
    .selectFrom('opportunity_contacts')
    .select(['opportunity_id', 'contact_id', 'role'])
    .where('opportunity_id', 'in', ids)
    .orderBy('contact_id')
    .execute();
  for (const r of rows) result.get(r.opportunity_id)?.push({ contactId: r.contact_id, role: r.role });
  return result;
}

/** Won and lost opportunities per owner, within what the visibility allows. */
export async function countClosedByOwner(db: Db, visibility: Visibility) {
  let query = db
    .selectFrom('opportunities')
    .select(['owner_id', 'status', (eb) => eb.fn.countAll<number | string | bigint>().as('count')])
    .where('status', 'in', ['won', 'lost'])
    .groupBy(['owner_id', 'status']);
  if (visibility.kind === 'owned_by') {
    if (visibility.userIds.length === 0) return [];
    query = query.where('owner_id', 'in', visibility.userIds);
  }
  return (await query.execute()).map((r) => ({
    ownerId: r.owner_id,
    status: r.status,
    count: Number(r.count),
  }));
}

export async function insertOpportunityStage(db: Db, row: Insertable<OpportunityStagesTable>): Promise<void> {
  await db.insertInto('opportunity_stages').values(row).execute();
}

export async function updateOpportunityStageRow(
  db: Db,
  key: string,
  patch: Updateable<OpportunityStagesTable>,
): Promise<void> {
  await db.updateTable('opportunity_stages').set(patch).where('key', '=', key).execute();
}
