import { loadAgreementStamp } from '../agreements/agreements.repository.ts';
import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import type { Visibility } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import type { DB } from '../../db/tables.ts';
import { containsPattern, dialectOf, fromDbTime, likeSql, toDbTime } from '../../db/dialect.ts';
import { leadEventsOf } from '../../../domain/webhooks/webhooks.ts';
import { combinations, trigramQuestion } from '../../../domain/search/similarity.ts';
import { forgetContactInWebhookBatches } from '../webhooks/webhooks.repository.ts';
import { readDigest, writeDigest } from '../shared/queued-digests.ts';
import { queueWebhooks, webhookEvent } from '../webhooks/webhooks.usecases.ts';
import { newId } from '../../platform/ids.ts';
import type {
  ContactRow,
  ContactUpdate,
  NewContactRow,
  NewStageChangeRow,
  StageChangeRow,
} from '../../db/tables.ts';

export async function findContactById(db: Db, id: string): Promise<ContactRow | undefined> {
  return db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findContactsByIds(db: Db, ids: readonly string[]): Promise<ContactRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/**
 * The contact, locked for the rest of the transaction on PostgreSQL (SQLite transactions already
 * hold the write lock): two routings of one lead, or a routing and a sweep, take turns. The lock
 * is `FOR NO KEY UPDATE`, as an UPDATE of the row takes: it still excludes every other writer of
 * the contact and its erasure, but not the key-share locks that PostgreSQL's foreign-key checks
 * take: a transaction that only adds a row naming the contact (the webhook dispatcher making its
 * messages, an email or a clock queued about them) no longer waits for the routing to commit, nor
 * the routing for it (both waited, with `FOR UPDATE`, in issue 27's scale-out profile).
 */
export async function findContactForUpdate(db: Db, id: string): Promise<ContactRow | undefined> {
  const query = db.selectFrom('contacts').selectAll().where('id', '=', id);
  return (dialectOf(db) === 'postgres' ? query.forNoKeyUpdate() : query).executeTakeFirst();
}

export interface ContactFilter {
  email?: string;
  stage?: string;
  ownerId?: string;
  /** Owned by a member of this team. */
  teamId?: string;
  accountId?: string;
  country?: string;
  /** The grade under the active scoring model. */
  grade?: string;
  /** The channel of the first touch (the original source). */
  source?: string;
  /** A first or latest campaign. */
  campaign?: string;
  /** Created at or after, and before. */
  createdFrom?: Date;
  createdBefore?: Date;
  q?: string;
}

/**
 * The conditions of a contact list: what the reader may see and the filters, one definition for
 * the list, its typo-tolerant fallback and its export.
 */
function contactConditions(
  eb: ExpressionBuilder<DB, 'contacts'>,
  filter: Omit<ContactFilter, 'q'>,
  visibility: Visibility,
): Expression<SqlBool> {
  const all: Expression<SqlBool>[] = [];
  if (visibility.kind === 'owned_by') all.push(eb('contacts.owner_id', 'in', visibility.userIds));
  if (filter.email) all.push(eb('contacts.email', '=', filter.email));
  if (filter.stage) all.push(eb('contacts.stage', '=', filter.stage));
  if (filter.ownerId) all.push(eb('contacts.owner_id', '=', filter.ownerId));
  if (filter.teamId)
    all.push(
      eb(
        'contacts.owner_id',
        'in',
        eb
          .selectFrom('team_members')
          .select('team_members.user_id')
          .where('team_members.team_id', '=', filter.teamId),
      ),
    );
  if (filter.accountId) all.push(eb('contacts.account_id', '=', filter.accountId));
  if (filter.country) all.push(eb('contacts.country', '=', filter.country));
  if (filter.grade)
    all.push(
      eb(
        'contacts.id',
        'in',
        eb
          .selectFrom('contact_scores')
          .select('contact_scores.contact_id')
          .where(
            'contact_scores.grade',
            filter.grade.length === 1 ? 'like' : '=',
            filter.grade.length === 1 ? `${filter.grade}%` : filter.grade,
          )
          .where(
            'contact_scores.model_id',
            'in',
            eb
              .selectFrom('scoring_models')
              .select('scoring_models.id')
              .where('scoring_models.status', '=', 'active'),
          ),
      ),
    );
  if (filter.source) all.push(eb('contacts.original_source', '=', filter.source));
  if (filter.campaign)
    all.push(
      eb.or([
        eb('contacts.original_campaign', '=', filter.campaign),
        eb('contacts.latest_campaign', '=', filter.campaign),
        eb(
          'contacts.id',
          'in',
          eb.selectFrom('campaign_members').select('contact_id').where('campaign', '=', filter.campaign),
        ),
      ]),
    );
  if (filter.createdFrom) all.push(eb('contacts.created_at', '>=', toDbTime(filter.createdFrom)));
  if (filter.createdBefore) all.push(eb('contacts.created_at', '<', toDbTime(filter.createdBefore)));
  return eb.and(all);
}

/** Contacts the SQLite search index takes per transaction when it catches up (migration 0052). */
const searchIndexBatch = 1_000;

/**
 * Indexes up to `limit` contacts that are pending for search (SQLite: new contacts are noted by
 * trigger and indexed here in bulk, migration 0052), in one transaction: each gets its key and
 * its text as its fields are now. Returns how many it indexed; 0 on PostgreSQL, which indexes as
 * it writes.
 */
export async function indexPendingSearch(db: Db, limit = searchIndexBatch): Promise<number> {
  if (dialectOf(db) === 'postgres') return 0;
  const work = async (trx: Db) => {
    const ids = (
      await sql<{ contact_id: string }>`select contact_id from contact_search_pending limit ${limit}`.execute(
        trx,
      )
    ).rows.map((r) => r.contact_id);
    if (ids.length === 0) return 0;
    const list = JSON.stringify(ids);
    await sql`insert into contact_search_keys (contact_id) select value from json_each(${list})
      where true on conflict (contact_id) do nothing`.execute(trx);
    await sql`insert into contact_search (rowid, body)
      select k.key, lower(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '') || ' ' || coalesce(c.email, '')
        || ' ' || coalesce((select name from accounts where accounts.id = c.account_id), ''))
      from json_each(${list}) j join contact_search_keys k on k.contact_id = j.value join contacts c on c.id = j.value`.execute(
      trx,
    );
    await sql`delete from contact_search_pending where contact_id in (select value from json_each(${list}))`.execute(
      trx,
    );
    return ids.length;
  };
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** Indexes every contact still pending for search, so that a search finds all stored before it. */
async function catchUpSearch(db: Db): Promise<void> {
  while ((await indexPendingSearch(db)) === searchIndexBatch);
}

/** Newest first, limited to what `visibility` allows; `beforeId` is the cursor. */
export async function findContacts(
  db: Db,
  filter: ContactFilter,
  visibility: Visibility,
  limit: number,
  beforeId?: string,
): Promise<ContactRow[]> {
  if (visibility.kind === 'owned_by' && visibility.userIds.length === 0) return [];
  const find = (ids?: RawBuilder<string>) => {
    let query = db
      .selectFrom('contacts')
      .selectAll()
      .where((eb) => contactConditions(eb, filter, visibility));
    if (ids) query = query.where('id', 'in', ids);
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  };
  if (!filter.q) return find();
  await catchUpSearch(db);
  if (dialectOf(db) === 'postgres') {
    // A common word (a surname thousands share) is found fastest among the newest texts; its full
    // list from the index would be read and sorted. Only when the newest do not fill the page does
    // the index answer, and then the word is rare enough for that to be quick.
    const newest = await find(containingAmongNewest(filter.q, beforeId));
    if (newest.length >= limit) return newest;
  }
  return find(containing(db, filter.q));
}

/** How many of the newest contacts a search on PostgreSQL reads first. */
const newestWindow = 20_000;

/** The ids of the newest contacts (before `beforeId`) whose searched text contains `search`. */
function containingAmongNewest(search: string, beforeId: string | undefined) {
  return sql<string>`(select contact_id from (
    select contact_id, body from contact_search ${beforeId ? sql`where contact_id < ${beforeId}` : sql``}
    order by contact_id desc limit ${newestWindow}
  ) newest where ${likeSql(sql.ref('body'), containsPattern(search))})`;
}

/**
 * The ids of the contacts whose searched text (name, email, company; see migration 0030) contains
 * `search`, any case. Three characters or more are a lookup in the trigram index (FTS5 on SQLite,
 * pg_trgm on PostgreSQL); fewer are a scan of the index's text.
 */
function containing(db: Db, search: string) {
  const text = search.toLowerCase();
  if (dialectOf(db) === 'postgres')
    return sql<string>`(select contact_id from contact_search where ${likeSql(sql.ref('body'), containsPattern(text))})`;
  const match =
    [...text].length >= 3
      ? sql<boolean>`contact_search match ${`"${text.replaceAll('"', '""')}"`}`
      : likeSql(sql.ref('contact_search.body'), containsPattern(text));
  return sql<string>`(select k.contact_id from contact_search join contact_search_keys k on k.key = contact_search.rowid where ${match})`;
}

/** How many candidates a typo-tolerant search weighs at most. */
const similarCandidates = 300;

/**
 * The question for the texts with enough trigrams of every word of `search` (trigramQuestion), in
 * each store's terms: FTS5's query syntax on SQLite, LIKEs that pg_trgm's index answers on
 * PostgreSQL (its own similarity operator would weigh every text that shares a trigram).
 */
function resembling(db: Db, search: string) {
  const words = trigramQuestion(search);
  if (words.length === 0) return null;
  const chosen = words.map(({ trigrams, required }) => combinations(trigrams, required));
  if (dialectOf(db) === 'postgres')
    return sql.join(
      chosen.map(
        (choices) =>
          sql`(${sql.join(
            choices.map(
              (trigrams) =>
                sql`(${sql.join(
                  trigrams.map((t) => likeSql(sql.ref('s.body'), containsPattern(t))),
                  sql` and `,
                )})`,
            ),
            sql` or `,
          )})`,
      ),
      sql` and `,
    );
  const quote = (term: string) => `"${term.replaceAll('"', '""')}"`;
  return sql`contact_search match ${chosen
    .map((choices) => `(${choices.map((trigrams) => `(${trigrams.map(quote).join(' AND ')})`).join(' OR ')})`)
    .join(' AND ')}`;
}

/**
 * Contacts whose searched text has enough trigrams of every word of `search`, within what
 * `visibility` and `filter` allow: candidates for a typo-tolerant search, which `similarMatch` then
 * decides on alike for both dialects. Neither store ranks every text that shares a trigram, so a
 * typo in a name thousands share stays fast: the candidates are a sample (the newest on SQLite,
 * the first the index gives on PostgreSQL), and the answer says "similar".
 */
export async function findSimilarContacts(
  db: Db,
  search: string,
  filter: Omit<ContactFilter, 'q'>,
  visibility: Visibility,
): Promise<{ row: ContactRow; text: string }[]> {
  if (visibility.kind === 'owned_by' && visibility.userIds.length === 0) return [];
  const question = resembling(db, search);
  if (question === null) return [];
  await catchUpSearch(db);
  const query =
    dialectOf(db) === 'postgres'
      ? db
          .selectFrom('contacts')
          .innerJoin(
            sql<{ contact_id: string; body: string }>`contact_search`.as('s'),
            's.contact_id',
            'contacts.id',
          )
          .where(sql<boolean>`${question}`)
      : db.selectFrom('contacts').innerJoin(
          sql<{ contact_id: string; body: string }>`(
              select k.contact_id, found.body from (
                select rowid, body from contact_search where ${question}
                order by rowid desc limit ${similarCandidates * 4}
              ) found
              join contact_search_keys k on k.key = found.rowid
            )`.as('s'),
          's.contact_id',
          'contacts.id',
        );
  const rows = await query
    .selectAll('contacts')
    .select(sql<string>`s.body`.as('body'))
    .where((eb) => contactConditions(eb, filter, visibility))
    .limit(similarCandidates)
    .execute();
  return rows.map(({ body, ...row }) => ({ row, text: body }));
}

export async function insertContact(db: Db, row: NewContactRow): Promise<void> {
  await db.insertInto('contacts').values(row).execute();
}

/**
 * Any edit can move the contact's fit, so it becomes due for scoring. A new owner takes over the
 * open tasks the previous owner had on the lead, so their queue holds them and the old one's not.
 */
export async function updateContactRow(db: Db, id: string, patch: ContactUpdate): Promise<void> {
  const newOwner = patch.owner_id;
  if (typeof newOwner === 'string') {
    await db
      .updateTable('tasks')
      .set({ assignee_id: newOwner })
      .where('contact_id', '=', id)
      .where('done_at', 'is', null)
      .where((eb) =>
        eb('assignee_id', '=', eb.selectFrom('contacts').select('owner_id').where('id', '=', id)),
      )
      .execute();
  }
  await db
    .updateTable('contacts')
    .set((eb) => ({ ...patch, activity_version: eb('activity_version', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/** Moves a contact to a stage only if it is still in `fromStage`; false when someone else moved it first. */
export async function updateContactStage(
  db: Db,
  id: string,
  fromStage: string,
  patch: { stage: string; stage_entered_at: string; updated_at: string },
): Promise<boolean> {
  const result = await db
    .updateTable('contacts')
    .set(patch)
    .where('id', '=', id)
    .where('stage', '=', fromStage)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Appends a stage change, stamped with the agreement version in force when it happened; the
 * webhook events it is (an MQL, an acceptance, a rejection, a recycle) are queued with it.
 */
export async function insertStageChange(db: Db, row: NewStageChangeRow): Promise<void> {
  const stamp = await loadAgreementStamp(db);
  await db
    .insertInto('stage_changes')
    .values({ ...row, agreement_version: row.agreement_version ?? stamp(row.occurred_at) })
    .execute();
  const types = leadEventsOf({
    from: row.from_stage ?? null,
    to: row.to_stage,
    reasonCode: row.reason_code ?? null,
    actorKind: row.actor_kind,
  });
  if (types.length === 0) return;
  const owner = await db
    .selectFrom('contacts')
    .select('owner_id')
    .where('id', '=', row.contact_id)
    .executeTakeFirst();
  const at = fromDbTime(row.occurred_at);
  const data = {
    contactId: row.contact_id,
    stage: row.to_stage,
    previousStage: row.from_stage ?? null,
    ownerId: owner?.owner_id ?? null,
    actor: { kind: row.actor_kind, id: row.actor_id ?? null },
    reasonCode: row.reason_code ?? null,
    note: row.note ?? null,
  };
  await queueWebhooks(
    db,
    types.map((type) => webhookEvent(type, at, data)),
  );
}

export async function findStageChanges(db: Db, contactId: string): Promise<StageChangeRow[]> {
  return db
    .selectFrom('stage_changes')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}

/** Removes a person and everything about them (touches, stage history, consent records cascade). */
export async function deleteContact(db: Db, id: string): Promise<void> {
  // Its records in a CRM are no longer linked to anyone here.
  await db
    .deleteFrom('connection_links')
    .where('object_type', '=', 'contact')
    .where('local_id', '=', id)
    .execute();
  await forgetLeadInDigests(db, id);
  await forgetContactInWebhookBatches(db, id);
  await db.deleteFrom('contacts').where('id', '=', id).execute();
}

/**
 * Takes a person out of the SLA digests that list them among other leads (a digest about them
 * alone is theirs by `contact_id`, and goes or is blanked with their other rows): one not yet
 * rendered no longer lists them; the text of one sent, which names them, is blanked.
 */
export async function forgetLeadInDigests(db: Db, contactId: string): Promise<void> {
  const digests = await db
    .selectFrom('outbox')
    .select(['id', 'params', 'subject'])
    .where('template', '=', 'sla.digest')
    .where('contact_id', 'is', null)
    // JSON as text in both dialects (jsonb on PostgreSQL); an id is hex digits and dashes.
    .where(sql<string>`cast(params as text)`, 'like', `%${contactId.replace(/[^0-9a-f-]/gi, '')}%`)
    .execute();
  for (const digest of digests) {
    const params = readDigest(digest.params);
    if (!params.items.some((i) => i.contactId === contactId)) continue;
    await db
      .updateTable('outbox')
      .set({
        params: writeDigest({ ...params, items: params.items.filter((i) => i.contactId !== contactId) }),
        ...(digest.subject !== null && { body_text: null, body_html: null }),
      })
      .where('id', '=', digest.id)
      .execute();
  }
}

/** Moves everything that hangs off a duplicate contact to the one it is merged into. */
export async function moveContactDependants(db: Db, fromId: string, toId: string): Promise<void> {
  await db.updateTable('touchpoints').set({ contact_id: toId }).where('contact_id', '=', fromId).execute();
  await db
    .updateTable('consent_records')
    .set({ contact_id: toId })
    .where('contact_id', '=', fromId)
    .execute();
  await db
    .updateTable('visitor_identities')
    .set({ contact_id: toId })
    .where('contact_id', '=', fromId)
    .execute();
  await db
    .updateTable('contact_aliases')
    .set({ contact_id: toId })
    .where('contact_id', '=', fromId)
    .execute();
  await db.updateTable('tasks').set({ contact_id: toId }).where('contact_id', '=', fromId).execute();
  // Records in a CRM: the survivor keeps its own link to a connection; the duplicate's goes to it
  // where it has none there (merged in the CRM too, the duplicate's record is marked removed).
  await db
    .deleteFrom('connection_links')
    .where('object_type', '=', 'contact')
    .where('local_id', '=', fromId)
    .where('connection_id', 'in', (eb) =>
      eb
        .selectFrom('connection_links as kept')
        .select('kept.connection_id')
        .where('kept.object_type', '=', 'contact')
        .where('kept.local_id', '=', toId),
    )
    .execute();
  await db
    .updateTable('connection_links')
    .set({ local_id: toId })
    .where('object_type', '=', 'contact')
    .where('local_id', '=', fromId)
    .execute();
  // Campaigns the survivor is not in yet; the rest go with the duplicate.
  await db
    .updateTable('campaign_members')
    .set({ contact_id: toId })
    .where('contact_id', '=', fromId)
    .where((eb) =>
      eb(
        'campaign',
        'not in',
        eb.selectFrom('campaign_members').select('campaign').where('contact_id', '=', toId),
      ),
    )
    .execute();
}

/** Puts a person in a campaign; false when they were in it already. */
export async function insertCampaignMember(
  db: Db,
  row: { contact_id: string; campaign: string; added_by: string | null; added_at: string },
): Promise<boolean> {
  const result = await db
    .insertInto('campaign_members')
    .values(row)
    .onConflict((oc) => oc.columns(['contact_id', 'campaign']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function insertContactAlias(
  db: Db,
  email: string,
  contactId: string,
  at: string,
): Promise<void> {
  await db
    .insertInto('contact_aliases')
    .values({ email, contact_id: contactId, created_at: at })
    .onConflict((oc) => oc.column('email').doUpdateSet({ contact_id: contactId }))
    .execute();
}

export async function findAliasEmails(db: Db, contactId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('contact_aliases')
    .select('email')
    .where('contact_id', '=', contactId)
    .execute();
  return rows.map((r) => r.email);
}

export async function findContactIdByAlias(db: Db, email: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('contact_aliases')
    .select('contact_id')
    .where('email', '=', email)
    .executeTakeFirst();
  return row?.contact_id;
}

export async function insertConsent(
  db: Db,
  record: {
    contactId: string;
    purpose: string;
    status: string;
    source: string;
    text: string | null;
    version: string | null;
    language: string | null;
    at: Date;
    recordedAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('consent_records')
    .values({
      id: newId(),
      contact_id: record.contactId,
      purpose: record.purpose,
      status: record.status,
      source: record.source,
      text: record.text,
      version: record.version,
      language: record.language,
      occurred_at: toDbTime(record.at),
      recorded_at: toDbTime(record.recordedAt),
    })
    .execute();
}

/** The latest record of one purpose of a person's consent, if any. */
export async function findLatestConsent(db: Db, contactId: string, purpose: string) {
  return db
    .selectFrom('consent_records')
    .selectAll()
    .where('contact_id', '=', contactId)
    .where('purpose', '=', purpose)
    .orderBy('occurred_at', 'desc')
    .orderBy('recorded_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Every consent given or withdrawn, oldest first, with the text shown at the time. */
export async function findConsentRecords(db: Db, contactId: string) {
  return db
    .selectFrom('consent_records')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('occurred_at')
    .execute();
}
