import type {
  CaptureEvent,
  CapturePlan,
  CaptureState,
  KnownContact,
  PersonField,
} from '../../../domain/capture/plan-capture.ts';
import { personFields } from '../../../domain/capture/plan-capture.ts';
import type { EventCategory } from '../../../domain/capture/event-types.ts';
import type { Db } from '../../db/database.ts';
import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../../db/dialect.ts';
import type { ContactUpdate } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';

/** Both dialects take well over 30,000 bound values per statement; stay under that. */
const maxValuesPerStatement = 30_000;

function chunks<T>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(maxValuesPerStatement / columns));
  const result: T[][] = [];
  for (let i = 0; i < rows.length; i += size) result.push(rows.slice(i, i + size));
  return result;
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
  const hashes = new Map(emails.map((email) => [emailHash(email), email]));

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

  const [known, suppressed, contacts, users, identities, anonymous] = await Promise.all([
    clientIds.length === 0
      ? []
      : db
          .selectFrom('touchpoints')
          .select(['id', 'client_event_id'])
          .where('client_event_id', 'in', clientIds)
          .execute(),
    hashes.size === 0
      ? []
      : db
          .selectFrom('suppressions')
          .select('email_hash')
          .where('email_hash', 'in', [...hashes.keys()])
          .execute(),
    emails.length === 0
      ? []
      : db.selectFrom('contacts').select(contactColumns).where('email', 'in', emails).execute(),
    userIds.length === 0 ? [] : db.selectFrom('users').select('id').where('id', 'in', userIds).execute(),
    visitorIds.length === 0
      ? []
      : db
          .selectFrom('visitor_identities')
          .select(['visitor_id', 'contact_id'])
          .where('visitor_id', 'in', visitorIds)
          .execute(),
    visitorIds.length === 0
      ? []
      : db
          .selectFrom('touchpoints')
          .select(['id', 'visitor_id', 'occurred_at', 'category', 'channel', 'campaign'])
          .where('visitor_id', 'in', visitorIds)
          .where('contact_id', 'is', null)
          .execute(),
  ]);

  const contactsByEmail = new Map(contacts.map((c) => [c.email, toKnown(c)]));
  const missingEmails = events.filter((e) => e.email && !contactsByEmail.has(e.email));
  const keys = missingEmails.map(accountKeys);
  const domains = unique(keys.flatMap((k) => (k.domain ? [k.domain] : [])));
  const nameKeys = unique(keys.flatMap((k) => (k.nameKey ? [k.nameKey] : [])));
  const visitorContactIds = unique(identities.map((i) => i.contact_id)).filter(
    (id) => ![...contactsByEmail.values()].some((c) => c.id === id),
  );

  const [byDomain, byNameKey, visitorContacts] = await Promise.all([
    domains.length === 0
      ? []
      : db
          .selectFrom('account_domains')
          .select(['domain', 'account_id'])
          .where('domain', 'in', domains)
          .execute(),
    nameKeys.length === 0
      ? []
      : db
          .selectFrom('accounts')
          .select(['id', 'name_key'])
          .where('name_key', 'in', nameKeys)
          .orderBy('id', 'desc')
          .execute(),
    visitorContactIds.length === 0
      ? []
      : db.selectFrom('contacts').select(contactColumns).where('id', 'in', visitorContactIds).execute(),
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
      ...contacts
        .filter((c) => identities.some((i) => i.contact_id === c.id))
        .map((c): [string, KnownContact] => [c.id, contactsByEmail.get(c.email)!]),
    ]),
    anonymousTouchesByVisitor,
  };
}

export interface CaptureWriteMeta {
  now: Date;
  actor: { kind: string; id: string | null };
  sourceKind: string;
  /** Who did a sales activity when the event does not say (a signed-in user sending it). */
  defaultUserId: string | null;
}

/** Writes a plan in bulk: accounts, contacts with their first stage, touches, claims and patches. */
export async function writeCapturePlan(db: Db, plan: CapturePlan, meta: CaptureWriteMeta): Promise<void> {
  const now = toDbTime(meta.now);

  for (const chunk of chunks(plan.newAccounts, 5)) {
    await db
      .insertInto('accounts')
      .values(
        chunk.map((a) => ({ id: a.id, name: a.name, name_key: a.nameKey, created_at: now, updated_at: now })),
      )
      .execute();
  }
  const domains = plan.newAccounts.flatMap((a) => (a.domain ? [{ domain: a.domain, account_id: a.id }] : []));
  for (const chunk of chunks(domains, 2)) await db.insertInto('account_domains').values(chunk).execute();

  for (const chunk of chunks(plan.newContacts, 16)) {
    await db
      .insertInto('contacts')
      .values(
        chunk.map((c) => ({
          id: c.id,
          email: c.email,
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
      )
      .execute();
    await db
      .insertInto('stage_changes')
      .values(
        chunk.map((c) => ({
          id: newId(),
          contact_id: c.id,
          from_stage: null,
          to_stage: 'lead',
          occurred_at: toDbTime(c.enteredAt),
          recorded_at: now,
          actor_kind: meta.actor.kind,
          actor_id: meta.actor.id,
          actor_label: `capture:${meta.sourceKind}`,
          reason_code: null,
          note: null,
          agreement_version: null,
        })),
      )
      .execute();
    await db
      .insertInto('events')
      .values(
        chunk.map((c) => ({
          id: newId(),
          type: 'contact.created',
          occurred_at: now,
          actor_kind: meta.actor.kind,
          actor_id: meta.actor.id,
          subject_type: 'contact',
          subject_id: c.id,
          payload: JSON.stringify({ via: meta.sourceKind, touchId: c.leadTouchId, accountId: c.accountId }),
        })),
      )
      .execute();
  }

  for (const chunk of chunks(plan.touches, 22)) {
    await db
      .insertInto('touchpoints')
      .values(
        chunk.map(({ id, event, contactId, isLeadCreating }) => ({
          id,
          client_event_id: event.clientId,
          type: event.type,
          category: event.category,
          occurred_at: toDbTime(event.at),
          received_at: now,
          contact_id: contactId,
          visitor_id: event.visitorId,
          user_id: event.userId ?? (event.category === 'sales' ? meta.defaultUserId : null),
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
          source_kind: meta.sourceKind,
          source_id: meta.actor.id,
        })),
      )
      .execute();
  }

  for (const claim of plan.claims) {
    await db
      .updateTable('touchpoints')
      .set({ contact_id: claim.contactId })
      .where('visitor_id', '=', claim.visitorId)
      .where('contact_id', 'is', null)
      .execute();
  }
  const identities = [...plan.identities].map(([visitor_id, contact_id]) => ({
    visitor_id,
    contact_id,
    identified_at: now,
  }));
  for (const chunk of chunks(identities, 3)) {
    await db
      .insertInto('visitor_identities')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('visitor_id').doUpdateSet((eb) => ({
          contact_id: eb.ref('excluded.contact_id'),
          identified_at: eb.ref('excluded.identified_at'),
        })),
      )
      .execute();
  }

  for (const [contactId, patch] of plan.contactPatches) {
    const update: ContactUpdate = { updated_at: now };
    for (const [column, value] of Object.entries(patch) as [
      keyof typeof patch,
      string | Date | null | undefined,
    ][]) {
      if (value !== undefined)
        Object.assign(update, { [column]: value instanceof Date ? toDbTime(value) : value });
    }
    await db.updateTable('contacts').set(update).where('id', '=', contactId).execute();
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
