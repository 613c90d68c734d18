import { loadAgreementStamp } from '../agreements/agreements.repository.ts';
import { sql } from 'kysely';
import type {
  CaptureEvent,
  CapturePlan,
  CaptureState,
  KnownContact,
  PersonField,
} from '../../../domain/capture/plan-capture.ts';
import { externalKey, personFields } from '../../../domain/capture/plan-capture.ts';
import type { EventCategory } from '../../../domain/capture/event-types.ts';
import { bulkInsert } from '../../db/bulk.ts';
import type { Db, SqliteStatements } from '../../db/database.ts';
import { fromDbTime, fromDbTimeOrNull, inListSql, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { hashToken } from '../../platform/secrets.ts';
import { normalizeEmail } from '../../../domain/people/normalize.ts';

/** Suppressions are kept as hashes, so an erased address is not stored again, not even in the list. */
export function emailHash(email: string): string {
  return hashToken(`email:${normalizeEmail(email)}`);
}

/** The suppression key of a person known by their id in another system. */
export function externalIdHash(externalId: string): string {
  return hashToken(externalKey(externalId));
}

const unique = <T>(values: Iterable<T>) => [...new Set(values)];

/**
 * Everything planning a batch needs from the store, in a handful of bulk queries (never one per
 * event). `emailHash` maps an email to its suppression key; `accountKeys` gives the domain or
 * company key each new email would match on.
 */
export async function loadCaptureState(
  db: Db,
  events: readonly CaptureEvent[],
  emailHash: (email: string) => string,
  accountKeys: (event: CaptureEvent) => { domain?: string; nameKey?: string },
): Promise<CaptureState> {
  const clientIds = unique(events.flatMap((e) => (e.clientId ? [e.clientId] : [])));
  const emails = unique(events.flatMap((e) => (e.email ? [e.email] : [])));
  const userIds = unique(events.flatMap((e) => (e.userId ? [e.userId] : [])));
  const visitorIds = unique(events.flatMap((e) => (e.visitorId ? [e.visitorId] : [])));
  const externals = unique(events.flatMap((e) => (e.externalId ? [e.externalId] : [])));
  const hashes = new Map([
    ...emails.map((email): [string, string] => [emailHash(email), email]),
    ...externals.map((id): [string, string] => [externalIdHash(id), externalKey(id)]),
  ]);

  const contactColumns = [
    'id',
    'email',
    'original_touch_at',
    'latest_touch_at',
    'first_name',
    'last_name',
    'title',
    'phone',
    'country',
  ] as const;
  const toKnown = (
    row: {
      id: string;
      original_touch_at: Date | string | null;
      latest_touch_at: Date | string | null;
    } & Record<PersonField, string | null>,
  ): KnownContact => ({
    id: row.id,
    originalAt: fromDbTimeOrNull(row.original_touch_at),
    latestAt: fromDbTimeOrNull(row.latest_touch_at),
    blanks: new Set(personFields.filter((f) => row[f] === null)),
  });

  const [known, suppressed, contacts, users, identities, anonymous, aliases, byExternalId] =
    await Promise.all([
      clientIds.length === 0
        ? []
        : db
            .selectFrom('touchpoints')
            .select(['id', 'client_event_id'])
            .where(inListSql(db, 'client_event_id', clientIds))
            .execute(),
      hashes.size === 0
        ? []
        : db
            .selectFrom('suppressions')
            .select('email_hash')
            .where(inListSql(db, 'email_hash', [...hashes.keys()]))
            .execute(),
      emails.length === 0
        ? []
        : db
            .selectFrom('contacts')
            .select(contactColumns)
            .where(inListSql(db, 'email', emails))
            .execute(),
      userIds.length === 0
        ? []
        : db
            .selectFrom('users')
            .select('id')
            .where(inListSql(db, 'id', userIds))
            .execute(),
      visitorIds.length === 0
        ? []
        : db
            .selectFrom('visitor_identities')
            .select(['visitor_id', 'contact_id'])
            .where(inListSql(db, 'visitor_id', visitorIds))
            .execute(),
      visitorIds.length === 0
        ? []
        : db
            .selectFrom('touchpoints')
            .select(['id', 'visitor_id', 'occurred_at', 'category', 'channel', 'campaign'])
            .where(inListSql(db, 'visitor_id', visitorIds))
            .where('contact_id', 'is', null)
            .execute(),
      emails.length === 0
        ? []
        : db
            .selectFrom('contact_aliases')
            .innerJoin('contacts', 'contacts.id', 'contact_aliases.contact_id')
            .select([
              'contact_aliases.email as alias',
              'contacts.id',
              'contacts.email',
              'contacts.original_touch_at',
              'contacts.latest_touch_at',
              'contacts.first_name',
              'contacts.last_name',
              'contacts.title',
              'contacts.phone',
              'contacts.country',
            ])
            .where(inListSql(db, 'contact_aliases.email', emails))
            .execute(),
      externals.length === 0
        ? []
        : db
            .selectFrom('contacts')
            .select([...contactColumns, 'external_id'])
            .where(inListSql(db, 'external_id', externals))
            .execute(),
    ]);

  // One object per contact, whichever way it was found.
  const loadedById = new Map<string, KnownContact>();
  const knownOf = (row: Parameters<typeof toKnown>[0]) => {
    const existing = loadedById.get(row.id);
    if (existing) return existing;
    const created = toKnown(row);
    loadedById.set(row.id, created);
    return created;
  };
  const contactsByEmail = new Map(contacts.map((c) => [c.email!, knownOf(c)]));
  for (const row of byExternalId) contactsByEmail.set(externalKey(row.external_id!), knownOf(row));
  // An address of a merged contact reaches the contact it was merged into (the same object, so a
  // batch that names both addresses updates one contact).
  for (const row of aliases) {
    const survivor = (row.email && contactsByEmail.get(row.email)) || knownOf(row);
    if (row.email) contactsByEmail.set(row.email, survivor);
    contactsByEmail.set(row.alias, survivor);
  }
  const missingEmails = events.filter((e) => e.email && !contactsByEmail.has(e.email));
  const keys = missingEmails.map(accountKeys);
  const domains = unique(keys.flatMap((k) => (k.domain ? [k.domain] : [])));
  const nameKeys = unique(keys.flatMap((k) => (k.nameKey ? [k.nameKey] : [])));
  // Contacts already loaded by address (or alias), by id: a visitor's contact is the same object.
  const knownById = new Map([...contactsByEmail.values()].map((c) => [c.id, c]));
  const visitorContactIds = unique(identities.map((i) => i.contact_id)).filter((id) => !knownById.has(id));

  const [byDomain, byNameKey, visitorContacts] = await Promise.all([
    domains.length === 0
      ? []
      : db
          .selectFrom('account_domains')
          .select(['domain', 'account_id'])
          .where(inListSql(db, 'domain', domains))
          .execute(),
    nameKeys.length === 0
      ? []
      : db
          .selectFrom('accounts')
          .select(['id', 'name_key'])
          .where(inListSql(db, 'name_key', nameKeys))
          .orderBy('id', 'desc')
          .execute(),
    visitorContactIds.length === 0
      ? []
      : db
          .selectFrom('contacts')
          .select(contactColumns)
          .where(inListSql(db, 'id', visitorContactIds))
          .execute(),
  ]);

  const anonymousTouchesByVisitor = new Map<
    string,
    { id: string; at: Date; category: EventCategory; channel: string | null; campaign: string | null }[]
  >();
  for (const touch of anonymous) {
    const list = anonymousTouchesByVisitor.get(touch.visitor_id!) ?? [];
    list.push({
      id: touch.id,
      at: fromDbTime(touch.occurred_at),
      category: touch.category as EventCategory,
      channel: touch.channel,
      campaign: touch.campaign,
    });
    anonymousTouchesByVisitor.set(touch.visitor_id!, list);
  }

  return {
    knownClientIds: new Map(known.map((k) => [k.client_event_id!, k.id])),
    suppressedEmails: new Set(suppressed.map((s) => hashes.get(s.email_hash)!)),
    contactsByEmail,
    accountsByDomain: new Map(byDomain.map((d) => [d.domain, d.account_id])),
    // Ordered newest first, so the oldest account with a key wins when several spellings exist.
    accountsByNameKey: new Map(byNameKey.map((a) => [a.name_key!, a.id])),
    existingUserIds: new Set(users.map((u) => u.id)),
    identifiedVisitors: new Map(identities.map((i) => [i.visitor_id, i.contact_id])),
    visitorContacts: new Map([
      ...visitorContacts.map((c): [string, KnownContact] => [c.id, toKnown(c)]),
      ...identities.flatMap((i): [string, KnownContact][] => {
        const known = knownById.get(i.contact_id);
        return known ? [[i.contact_id, known]] : [];
      }),
    ]),
    anonymousTouchesByVisitor,
  };
}

/** Writes a plan in bulk: accounts, contacts with their first stage, touches, claims and patches. */
export async function writeCapturePlan(
  db: Db,
  sqlite: SqliteStatements | undefined,
  plan: CapturePlan,
  at: Date,
): Promise<void> {
  const now = toDbTime(at);

  await bulkInsert(
    db,
    sqlite,
    'accounts',
    plan.newAccounts.map((a) => ({
      id: a.id,
      name: a.name,
      name_key: a.nameKey,
      created_at: now,
      updated_at: now,
    })),
  );
  await bulkInsert(
    db,
    sqlite,
    'account_domains',
    plan.newAccounts.flatMap((a) => (a.domain ? [{ domain: a.domain, account_id: a.id }] : [])),
  );
  await bulkInsert(
    db,
    sqlite,
    'contacts',
    plan.newContacts.map((c) => ({
      id: c.id,
      email: c.email,
      external_id: c.externalId,
      attributes: JSON.stringify(c.attributes ?? {}),
      outcome: c.outcome,
      first_name: c.person.first_name ?? null,
      last_name: c.person.last_name ?? null,
      title: c.person.title ?? null,
      phone: c.person.phone ?? null,
      country: c.person.country ?? null,
      account_id: c.accountId,
      owner_id: null,
      stage: 'lead',
      stage_entered_at: toDbTime(c.enteredAt),
      consent_status: 'unknown',
      is_opted_out: false,
      lead_touch_id: c.leadTouchId,
      created_at: now,
      updated_at: now,
    })),
  );
  const stamp = await loadAgreementStamp(db);
  await bulkInsert(
    db,
    sqlite,
    'stage_changes',
    plan.newContacts.map((c) => ({
      id: newId(),
      contact_id: c.id,
      from_stage: null,
      to_stage: 'lead',
      occurred_at: toDbTime(c.enteredAt),
      recorded_at: now,
      actor_kind: c.origin.actor.kind,
      actor_id: c.origin.actor.id,
      actor_label: `capture:${c.origin.sourceKind}`,
      reason_code: null,
      note: null,
      agreement_version: stamp(c.enteredAt),
    })),
  );
  await bulkInsert(
    db,
    sqlite,
    'events',
    plan.newContacts.map((c) => ({
      id: newId(),
      type: 'contact.created',
      occurred_at: now,
      actor_kind: c.origin.actor.kind,
      actor_id: c.origin.actor.id,
      subject_type: 'contact',
      subject_id: c.id,
      payload: JSON.stringify({ via: c.origin.sourceKind, touchId: c.leadTouchId, accountId: c.accountId }),
    })),
  );
  await bulkInsert(
    db,
    sqlite,
    'touchpoints',
    plan.touches.map(({ id, event, contactId, isLeadCreating }) => ({
      id,
      client_event_id: event.clientId,
      type: event.type,
      category: event.category,
      occurred_at: toDbTime(event.at),
      received_at: now,
      contact_id: contactId,
      visitor_id: event.visitorId,
      user_id: event.userId ?? (event.category === 'sales' ? event.origin.defaultUserId : null),
      channel: event.channel,
      campaign: event.campaign,
      utm_source: event.utm.source,
      utm_medium: event.utm.medium,
      utm_campaign: event.utm.campaign,
      utm_term: event.utm.term,
      utm_content: event.utm.content,
      url: event.url,
      properties: event.properties,
      is_lead_creating: isLeadCreating,
      source_kind: event.origin.sourceKind,
      source_id: event.origin.actor.id,
    })),
  );

  for (const claim of plan.claims) {
    await db
      .updateTable('touchpoints')
      .set({ contact_id: claim.contactId })
      .where('visitor_id', '=', claim.visitorId)
      .where('contact_id', 'is', null)
      .execute();
  }
  for (const [visitor_id, contact_id] of plan.identities) {
    await db
      .insertInto('visitor_identities')
      .values({ visitor_id, contact_id, identified_at: now })
      .onConflict((oc) => oc.column('visitor_id').doUpdateSet({ contact_id, identified_at: now }))
      .execute();
  }
  // Every contact with a new touch is due for scoring (and whatever else reads `activity_version`),
  // whether or not its own fields changed.
  const changed = new Map(plan.contactPatches);
  for (const touch of plan.touches)
    if (touch.contactId && !changed.has(touch.contactId)) changed.set(touch.contactId, {});
  for (const claim of plan.claims) if (!changed.has(claim.contactId)) changed.set(claim.contactId, {});
  await updateContactsFromCapture(db, sqlite, changed, now);
}

/** Contacts patched by one statement on PostgreSQL. */
const contactPatchChunk = 500;

/** Locks the contacts (PostgreSQL) in the order of their ids, as every writer of several contacts does. */
async function lockContactsInOrder(db: Db, ids: readonly string[]): Promise<void> {
  await sql`select id from contacts where id = any(${[...ids]}) order by id for no key update`.execute(db);
}

/** A contact's patch as `patchContactsStatement` reads it: the flags and values of one contact. */
export interface ContactPatchRow {
  id: string;
  original: boolean;
  original_id: string | null;
  original_at: string | null;
  original_source: string | null;
  original_campaign: string | null;
  latest: boolean;
  latest_id: string | null;
  latest_at: string | null;
  latest_source: string | null;
  latest_campaign: string | null;
  attributes: Readonly<Record<string, string>> | null;
  outcome: string | null;
  [personField: string]: unknown;
}

/**
 * The PostgreSQL statement that patches several contacts at once (the rows locked before it). The
 * ids are named again as an array: estimating a hundred rows from the JSON, PostgreSQL otherwise
 * read the whole table for a group of nine (a hash join over a sequential scan of 4,404 contacts).
 */
export function patchContactsStatement(rows: readonly ContactPatchRow[], now: string) {
  return sql`update contacts c set
      original_touch_id = case when v.original then v.original_id else c.original_touch_id end,
      original_touch_at = case when v.original then v.original_at else c.original_touch_at end,
      original_source = case when v.original then v.original_source else c.original_source end,
      original_campaign = case when v.original then v.original_campaign else c.original_campaign end,
      latest_touch_id = case when v.latest then v.latest_id else c.latest_touch_id end,
      latest_touch_at = case when v.latest then v.latest_at else c.latest_touch_at end,
      latest_source = case when v.latest then v.latest_source else c.latest_source end,
      latest_campaign = case when v.latest then v.latest_campaign else c.latest_campaign end,
      ${sql.raw(personFields.map((f) => `${f} = coalesce(c.${f}, v.${f})`).join(', '))},
      attributes = case when v.attributes is null then c.attributes else v.attributes || c.attributes end,
      outcome = coalesce(v.outcome, c.outcome),
      activity_version = c.activity_version + 1,
      updated_at = ${now}
    from jsonb_to_recordset(cast(${JSON.stringify(rows)} as jsonb)) as v(id uuid, original boolean,
      original_id uuid, original_at timestamptz, original_source text, original_campaign text,
      latest boolean, latest_id uuid, latest_at timestamptz, latest_source text, latest_campaign text,
      ${sql.raw(personFields.map((f) => `${f} text`).join(', '))}, attributes jsonb, outcome text)
    where c.id = v.id and c.id = any(${rows.map((r) => r.id)})`;
}

/**
 * One statement shape for every contact a batch touches: a source group is replaced when its flag
 * is set, a person field only fills a blank, and the activity version goes up.
 */
async function updateContactsFromCapture(
  db: Db,
  sqlite: SqliteStatements | undefined,
  patches: CapturePlan['contactPatches'],
  now: string,
): Promise<void> {
  const params = (id: string, p: CapturePlan['contactPatches'] extends Map<string, infer P> ? P : never) => {
    const original = p.original_touch_id !== undefined;
    const latest = p.latest_touch_id !== undefined;
    const at = (d: Date | undefined) => (d ? toDbTime(d) : null);
    return {
      original,
      originalId: p.original_touch_id ?? null,
      originalAt: at(p.original_touch_at),
      originalSource: p.original_source ?? null,
      originalCampaign: p.original_campaign ?? null,
      latest,
      latestId: p.latest_touch_id ?? null,
      latestAt: at(p.latest_touch_at),
      latestSource: p.latest_source ?? null,
      latestCampaign: p.latest_campaign ?? null,
      person: personFields.map((f) => p[f] ?? null),
      attributes: p.attributes ? JSON.stringify(p.attributes) : null,
      outcome: p.outcome ?? null,
      id,
    };
  };
  if (sqlite) {
    const statement = sqlite.prepare(`update contacts set
      original_touch_id = case when ? then ? else original_touch_id end,
      original_touch_at = case when ? then ? else original_touch_at end,
      original_source = case when ? then ? else original_source end,
      original_campaign = case when ? then ? else original_campaign end,
      latest_touch_id = case when ? then ? else latest_touch_id end,
      latest_touch_at = case when ? then ? else latest_touch_at end,
      latest_source = case when ? then ? else latest_source end,
      latest_campaign = case when ? then ? else latest_campaign end,
      ${personFields.map((f) => `${f} = coalesce(${f}, ?)`).join(', ')},
      attributes = coalesce(json_patch(?, attributes), attributes),
      outcome = coalesce(?, outcome),
      activity_version = activity_version + 1,
      updated_at = ?
      where id = ?`);
    for (const [id, patch] of patches) {
      const p = params(id, patch);
      const o = Number(p.original);
      const l = Number(p.latest);
      statement.run(
        o,
        p.originalId,
        o,
        p.originalAt,
        o,
        p.originalSource,
        o,
        p.originalCampaign,
        l,
        p.latestId,
        l,
        p.latestAt,
        l,
        p.latestSource,
        l,
        p.latestCampaign,
        ...p.person,
        p.attributes,
        p.outcome,
        now,
        p.id,
      );
    }
    return;
  }
  // In the order of their ids, as every writer of several contacts locks them (scoring too), so two
  // transactions never wait on each other's rows in a circle.
  const sorted = [...patches].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (sorted.length > 1) {
    // A group of events about several people: their rows locked in that order by one statement,
    // then patched by one statement per 500, not a round trip each (issue 27's scale-out profile:
    // the update per contact was the most frequent statement on PostgreSQL).
    await lockContactsInOrder(
      db,
      sorted.map(([id]) => id),
    );
    for (let i = 0; i < sorted.length; i += contactPatchChunk) {
      const chunk = sorted.slice(i, i + contactPatchChunk);
      const rows = chunk.map(([id, patch]): ContactPatchRow => {
        const p = params(id, patch);
        return {
          id,
          original: p.original,
          original_id: p.originalId,
          original_at: p.originalAt,
          original_source: p.originalSource,
          original_campaign: p.originalCampaign,
          latest: p.latest,
          latest_id: p.latestId,
          latest_at: p.latestAt,
          latest_source: p.latestSource,
          latest_campaign: p.latestCampaign,
          ...Object.fromEntries(personFields.map((f, n) => [f, p.person[n]])),
          attributes: patch.attributes ?? null,
          outcome: p.outcome,
        };
      });
      await patchContactsStatement(rows, now).execute(db);
    }
    return;
  }
  for (const [id, patch] of sorted) {
    const p = params(id, patch);
    await db
      .updateTable('contacts')
      .set((eb) => ({
        ...(p.original && {
          original_touch_id: p.originalId,
          original_touch_at: p.originalAt,
          original_source: p.originalSource,
          original_campaign: p.originalCampaign,
        }),
        ...(p.latest && {
          latest_touch_id: p.latestId,
          latest_touch_at: p.latestAt,
          latest_source: p.latestSource,
          latest_campaign: p.latestCampaign,
        }),
        ...Object.fromEntries(
          personFields.flatMap((f, i) =>
            p.person[i] === null ? [] : [[f, eb.fn.coalesce(f, eb.val(p.person[i]!))]],
          ),
        ),
        // Keys the contact has keep their value (the right side of || wins in PostgreSQL).
        ...(p.attributes !== null && { attributes: sql<string>`${p.attributes}::jsonb || attributes` }),
        ...(p.outcome !== null && { outcome: p.outcome }),
        activity_version: eb('activity_version', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', id)
      .execute();
  }
}

export async function findTouchpointsOfContact(db: Db, contactId: string) {
  return db
    .selectFrom('touchpoints')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}

export async function insertSuppression(db: Db, emailHash: string, reason: string, at: Date): Promise<void> {
  await db
    .insertInto('suppressions')
    .values({ email_hash: emailHash, reason, created_at: toDbTime(at) })
    .onConflict((oc) => oc.column('email_hash').doNothing())
    .execute();
}

/** A contact's latest touches, newest first. */
export async function findRecentTouchpoints(db: Db, contactId: string, limit: number) {
  return db
    .selectFrom('touchpoints')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
