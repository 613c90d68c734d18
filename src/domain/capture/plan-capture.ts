import { decideSourceUpdate } from './decide-sources.ts';
import type { EventCategory } from './event-types.ts';
import { decideAccountMatch } from './match-account.ts';

/** Who sent an event and through what; events of several requests may be planned together. */
export interface CaptureOrigin {
  actor: { kind: string; id: string | null };
  /** api, form, tracking, import */
  sourceKind: string;
  /** Who did a sales activity when the event does not say (a signed-in user sending it). */
  defaultUserId: string | null;
}

/** A valid event, ready to be stored. */
export interface CaptureEvent {
  index: number;
  origin: CaptureOrigin;
  /** False for a row of a contacts import: the person is created or completed, no touch is stored. */
  recordsTouch: boolean;
  clientId: string | null;
  type: string;
  category: EventCategory;
  at: Date;
  /** Normalised email, or null for an anonymous visitor (or a contact known by its external id). */
  email: string | null;
  /** The person's id in another system (a contacts import); identifies them when there is no email. */
  externalId: string | null;
  /** Custom fields of a contacts import row. */
  attributes: Readonly<Record<string, string>> | null;
  /** A known outcome of a contacts import row (the label calibration learns from). */
  outcome: 'converted' | 'not_converted' | null;
  visitorId: string | null;
  userId: string | null;
  person: Partial<Record<PersonField, string>>;
  company: string | null;
  channel: string | null;
  campaign: string | null;
  utm: {
    source: string | null;
    medium: string | null;
    campaign: string | null;
    term: string | null;
    content: string | null;
  };
  url: string | null;
  /** The free properties as JSON text. */
  properties: string;
}

export type PersonField = 'first_name' | 'last_name' | 'title' | 'phone' | 'country';
export const personFields: readonly PersonField[] = ['first_name', 'last_name', 'title', 'phone', 'country'];

/**
 * How a contact known only by its id in another system is keyed beside emails (which always hold
 * an `@`, so the two never collide) in the capture state and the suppression list.
 *
 * @example externalKey('7927b2df') // 'external:7927b2df'
 */
export function externalKey(externalId: string): string {
  return `external:${externalId}`;
}

export interface KnownContact {
  id: string;
  originalAt: Date | null;
  latestAt: Date | null;
  /** Person fields the contact has no value for yet. */
  blanks: Set<PersonField>;
}

export interface AnonymousTouch {
  id: string;
  at: Date;
  category: EventCategory;
  channel: string | null;
  campaign: string | null;
}

/** What the database already holds, looked up in bulk before planning. */
export interface CaptureState {
  knownClientIds: ReadonlyMap<string, string>;
  /** Erased people: emails and external keys. */
  suppressedEmails: ReadonlySet<string>;
  /** Known contacts by email and by external key. */
  contactsByEmail: ReadonlyMap<string, KnownContact>;
  accountsByDomain: ReadonlyMap<string, string>;
  accountsByNameKey: ReadonlyMap<string, string>;
  existingUserIds: ReadonlySet<string>;
  /** Visitors already known to be a contact. */
  identifiedVisitors: ReadonlyMap<string, string>;
  /** The contacts of those visitors, by id. */
  visitorContacts: ReadonlyMap<string, KnownContact>;
  /** Stored touches of visitors in the batch that belong to no contact yet. */
  anonymousTouchesByVisitor: ReadonlyMap<string, readonly AnonymousTouch[]>;
}

export type ItemOutcome =
  | { index: number; status: 'accepted'; touchId?: string; contactId?: string; created?: boolean }
  | { index: number; status: 'duplicate'; touchId: string }
  | { index: number; status: 'rejected'; errors: { field: string; reason: string }[] };

export interface PlannedTouch {
  id: string;
  event: CaptureEvent;
  contactId: string | null;
  isLeadCreating: boolean;
}

export interface SourcePatch {
  original_touch_id?: string;
  original_touch_at?: Date;
  original_source?: string | null;
  original_campaign?: string | null;
  latest_touch_id?: string;
  latest_touch_at?: Date;
  latest_source?: string | null;
  latest_campaign?: string | null;
}

export type ContactPatch = SourcePatch &
  Partial<Record<PersonField, string>> & {
    /** Added where the contact has no value for the key yet. */
    attributes?: Readonly<Record<string, string>>;
    /** Replaces the known outcome. */
    outcome?: 'converted' | 'not_converted';
  };

export interface CapturePlan {
  outcomes: ItemOutcome[];
  newAccounts: { id: string; name: string; nameKey: string | null; domain: string | null }[];
  newContacts: {
    id: string;
    origin: CaptureOrigin;
    email: string | null;
    externalId: string | null;
    attributes: Readonly<Record<string, string>> | null;
    outcome: 'converted' | 'not_converted' | null;
    person: Partial<Record<PersonField, string>>;
    accountId: string | null;
    enteredAt: Date;
    leadTouchId: string | null;
  }[];
  touches: PlannedTouch[];
  /** Visitors who turned out to be a contact: their stored anonymous touches join the contact. */
  claims: { visitorId: string; contactId: string }[];
  /** Visitor → contact, new or changed, so later anonymous touches of the visitor join at once. */
  identities: Map<string, string>;
  /** Changes to existing or new contacts: sources, blank person fields, attributes, the outcome. */
  contactPatches: Map<string, ContactPatch>;
}

/**
 * Decides what a batch of valid events does: which are duplicates, which people are erased, which
 * contacts and accounts must be created, which touches are stored, and how each contact's first and
 * latest source and blank fields change. Events are taken in order, so a later event in the batch
 * sees what an earlier one created.
 *
 * @example
 * planCapture([pageView], emptyState, { now, newId }).outcomes // [{ index: 0, status: 'accepted', … }]
 */
export function planCapture(
  events: readonly CaptureEvent[],
  state: CaptureState,
  context: { now: Date; newId: () => string },
): CapturePlan {
  const { now, newId } = context;
  const plan: CapturePlan = {
    outcomes: [],
    newAccounts: [],
    newContacts: [],
    touches: [],
    claims: [],
    identities: new Map(),
    contactPatches: new Map(),
  };
  const clientIds = new Map(state.knownClientIds);
  const contacts = new Map(state.contactsByEmail);
  const accountsByDomain = new Map(state.accountsByDomain);
  const accountsByNameKey = new Map(state.accountsByNameKey);
  const identified = new Map(state.identifiedVisitors);
  const contactsById = new Map([
    ...state.visitorContacts,
    ...[...contacts.values()].map((c): [string, KnownContact] => [c.id, c]),
  ]);
  /** Touches of this batch that belong to no contact yet, by visitor. */
  const pendingAnonymous = new Map<string, PlannedTouch[]>();

  const patchOf = (contactId: string) => {
    let patch = plan.contactPatches.get(contactId);
    if (!patch) plan.contactPatches.set(contactId, (patch = {}));
    return patch;
  };

  const applySource = (contactId: string, contact: KnownContact, touch: AnonymousTouch) => {
    const decision = decideSourceUpdate(contact, touch);
    const patch = decision.original || decision.latest ? patchOf(contactId) : undefined;
    if (patch && decision.original) {
      Object.assign(patch, {
        original_touch_id: touch.id,
        original_touch_at: touch.at,
        original_source: touch.channel,
        original_campaign: touch.campaign,
      });
      contact.originalAt = touch.at;
    }
    if (patch && decision.latest) {
      Object.assign(patch, {
        latest_touch_id: touch.id,
        latest_touch_at: touch.at,
        latest_source: touch.channel,
        latest_campaign: touch.campaign,
      });
      contact.latestAt = touch.at;
    }
  };

  /** Known facts are never overwritten by an event or an import row; blanks are filled. */
  const fillBlanks = (contactId: string, contact: KnownContact, person: CaptureEvent['person']) => {
    for (const field of personFields) {
      const value = person[field];
      if (value !== undefined && contact.blanks.has(field)) {
        patchOf(contactId)[field] = value;
        contact.blanks.delete(field);
      }
    }
  };

  const resolveAccount = (email: string | null, company: string | null): string | null => {
    const match = decideAccountMatch(email, company);
    if (match.kind === 'none') return null;
    const known =
      match.kind === 'domain'
        ? accountsByDomain.get(match.domain)
        : accountsByNameKey.get(match.normalizedName);
    if (known) return known;
    const id = newId();
    if (match.kind === 'domain') {
      plan.newAccounts.push({
        id,
        name: company?.trim() || match.domain,
        nameKey: null,
        domain: match.domain,
      });
      accountsByDomain.set(match.domain, id);
    } else {
      plan.newAccounts.push({ id, name: match.name, nameKey: match.normalizedName, domain: null });
      accountsByNameKey.set(match.normalizedName, id);
    }
    return id;
  };

  for (const event of events) {
    const known = event.clientId ? clientIds.get(event.clientId) : undefined;
    if (known) {
      plan.outcomes.push({ index: event.index, status: 'duplicate', touchId: known });
      continue;
    }
    const byExternal = event.externalId ? externalKey(event.externalId) : null;
    const erased =
      (event.email && state.suppressedEmails.has(event.email)) ||
      (byExternal && state.suppressedEmails.has(byExternal));
    if (erased) {
      plan.outcomes.push({
        index: event.index,
        status: 'rejected',
        errors: [
          {
            field: event.email && state.suppressedEmails.has(event.email) ? 'email' : 'externalId',
            reason: 'this person was erased; Baton does not store them again',
          },
        ],
      });
      continue;
    }
    const identity = event.email ?? byExternal;
    if (event.email && byExternal) {
      const a = contacts.get(event.email);
      const b = contacts.get(byExternal);
      if (a && b && a.id !== b.id) {
        plan.outcomes.push({
          index: event.index,
          status: 'rejected',
          errors: [{ field: 'externalId', reason: 'belongs to another contact than the email' }],
        });
        continue;
      }
    }
    if (event.userId && !state.existingUserIds.has(event.userId)) {
      plan.outcomes.push({
        index: event.index,
        status: 'rejected',
        errors: [{ field: 'userId', reason: 'no such user' }],
      });
      continue;
    }

    const touchId = newId();
    let contactId: string | null = null;
    let contact: KnownContact | undefined;
    let created = false;
    if (identity) {
      contact = contacts.get(identity) ?? (byExternal ? contacts.get(byExternal) : undefined);
      if (!contact) {
        contact = { id: newId(), originalAt: null, latestAt: null, blanks: new Set() };
        contacts.set(identity, contact);
        if (byExternal) contacts.set(byExternal, contact);
        contactsById.set(contact.id, contact);
        plan.newContacts.push({
          id: contact.id,
          origin: event.origin,
          email: event.email,
          externalId: event.externalId,
          attributes: event.attributes,
          outcome: event.outcome,
          person: event.person,
          accountId: resolveAccount(event.email, event.company),
          enteredAt: event.at < now ? event.at : now,
          leadTouchId: event.recordsTouch ? touchId : null,
        });
        created = true;
      }
      contactId = contact.id;
    } else if (event.visitorId) {
      // An anonymous touch of a visitor we already know joins their contact at once.
      const knownContactId = identified.get(event.visitorId);
      contact = knownContactId ? contactsById.get(knownContactId) : undefined;
      if (contact) contactId = contact.id;
    }
    if (!event.recordsTouch) {
      // A contacts import row: the person only. Blanks are filled; sources are not touched.
      if (contact && contactId && !created) {
        fillBlanks(contactId, contact, event.person);
        if (event.attributes && Object.keys(event.attributes).length > 0) {
          const patch = patchOf(contactId);
          patch.attributes = { ...event.attributes, ...patch.attributes };
        }
        if (event.outcome) patchOf(contactId).outcome = event.outcome;
      }
      plan.outcomes.push({
        index: event.index,
        status: 'accepted',
        ...(contactId && { contactId }),
        created,
      });
      continue;
    }
    const planned: PlannedTouch = { id: touchId, event, contactId, isLeadCreating: created };
    plan.touches.push(planned);
    if (event.clientId) clientIds.set(event.clientId, touchId);
    if (!contactId && event.visitorId) {
      pendingAnonymous.set(event.visitorId, [...(pendingAnonymous.get(event.visitorId) ?? []), planned]);
    }

    if (contact && contactId) {
      if (event.email && event.visitorId && identified.get(event.visitorId) !== contactId) {
        identified.set(event.visitorId, contactId);
        plan.identities.set(event.visitorId, contactId);
        const stored = state.anonymousTouchesByVisitor.get(event.visitorId) ?? [];
        if (stored.length > 0 && !plan.claims.some((c) => c.visitorId === event.visitorId)) {
          plan.claims.push({ visitorId: event.visitorId, contactId });
          for (const touch of stored) applySource(contactId, contact, touch);
        }
        for (const pending of pendingAnonymous.get(event.visitorId) ?? []) {
          pending.contactId = contactId;
          applySource(contactId, contact, {
            id: pending.id,
            at: pending.event.at,
            category: pending.event.category,
            channel: pending.event.channel,
            campaign: pending.event.campaign,
          });
        }
        pendingAnonymous.delete(event.visitorId);
      }
      applySource(contactId, contact, {
        id: touchId,
        at: event.at,
        category: event.category,
        channel: event.channel,
        campaign: event.campaign,
      });
      fillBlanks(contactId, contact, event.person);
    }
    plan.outcomes.push({
      index: event.index,
      status: 'accepted',
      touchId,
      ...(contactId && { contactId }),
      created,
    });
  }
  return plan;
}
