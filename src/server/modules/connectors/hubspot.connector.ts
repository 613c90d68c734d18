import { createHash } from 'node:crypto';
import type { Insertable } from 'kysely';
import {
  activityEventOf,
  hubspotActivityTypes,
  hubspotStageOf,
  type FieldMapping,
  type HubSpotActivityType,
} from '../../../domain/connectors/hubspot.ts';
import type { Db } from '../../db/database.ts';
import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { ConnectionLogTable } from '../../db/tables.ts';
import { CrmError, modifiedProperty, type CrmRecord, type HubSpotApi } from '../../platform/hubspot.ts';
import { newId } from '../../platform/ids.ts';
import type { Clock } from '../../platform/clock.ts';
import type { CaptureService } from '../capture/capture.service.ts';
import { prepare, prepareContactRow } from '../capture/capture.usecases.ts';
import {
  findActiveUsersByEmail,
  findChangedLeads,
  findContactsForPush,
  findCursor,
  findLinksByLocal,
  findLinksByRemote,
  hasLogEntry,
  saveCursor,
  upsertLink,
  type ConnectionRow,
} from './connectors.repository.ts';

/*
 * The HubSpot connector: one sync reads what changed in HubSpot since each cursor (owners, people,
 * then calls, meetings and emails, which answer the leads' clocks) and writes Baton's decisions
 * back (each lead's owner, lifecycle stage and lead status). Every step is safe to repeat: people
 * are matched by email and linked by id, activities are events named by their HubSpot id, and a
 * write that would change nothing is not sent. So a sync cut short (a crash, a 429 storm, a revoked
 * token) resumes from the cursors and duplicates nothing.
 */

export interface SyncDeps {
  db: Db;
  clock: Clock;
  capture: CaptureService;
  /** Stops the lead's clocks an activity answered, before the sync (or webhook) answers. */
  settle: (contactId: string) => Promise<void>;
}

export interface SyncCounts {
  contactsIn: number;
  activitiesIn: number;
  contactsOut: number;
  echoes: number;
  errors: number;
}

/** A search page: HubSpot's maximum is 200. */
const pageSize = 100;
/** HubSpot's search stops at 10,000 results: the window is narrowed from the last time seen before it. */
const searchCap = 10_000;
/** A change committed late in Baton (a long transaction) is still seen when the out cursor lags this much. */
const pushLagMs = 60_000;

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url');

/** The person's fields Baton reads from a HubSpot contact, by its mapping. */
function inFieldsOf(mapping: readonly FieldMapping[], record: CrmRecord): Record<string, string> {
  const found: Record<string, string> = {};
  for (const m of mapping) {
    if (m.direction === 'out' || m.field === 'owner' || m.field === 'stage') continue;
    const value = record.properties[m.property]?.trim();
    if (value) found[m.field] = value;
  }
  return found;
}

/** What Baton writes to a contact; its fingerprint tells Baton's own change when it comes back. */
const outPropertiesOf = (owner: string | null, stage: string): Record<string, string> => {
  const lifecycle = hubspotStageOf(stage);
  return {
    ...(owner !== null && { hubspot_owner_id: owner }),
    ...(lifecycle ?? {}),
  };
};

export function createHubSpotSync(
  deps: SyncDeps,
  connection: ConnectionRow,
  api: HubSpotApi,
  mapping: readonly FieldMapping[],
) {
  const { db, clock, capture, settle } = deps;
  const id = connection.id;
  const counts: SyncCounts = { contactsIn: 0, activitiesIn: 0, contactsOut: 0, echoes: 0, errors: 0 };
  const log: Insertable<ConnectionLogTable>[] = [];
  const origin = { actor: { kind: 'connector', id }, sourceKind: 'crm', defaultUserId: null };
  const pushesOwner = mapping.some((m) => m.field === 'owner' && m.direction !== 'in');
  const pushesStage = mapping.some((m) => m.field === 'stage' && m.direction !== 'in');
  // The lead status goes with the stage.
  const outFields = [
    ...mapping.filter((m) => m.direction !== 'in').map((m) => m.property),
    ...(pushesStage ? ['hs_lead_status'] : []),
  ];
  const contactProperties = [
    'email',
    ...new Set([...mapping.map((m) => m.property), 'hs_lead_status', 'hubspot_owner_id', 'lifecyclestage']),
  ];
  let owners: { byRemote: Map<string, string>; byLocal: Map<string, string> } | null = null;

  const note = (
    entry: Omit<Insertable<ConnectionLogTable>, 'id' | 'connection_id' | 'at' | 'replayed_at'>,
  ) => {
    if (entry.outcome === 'error') counts.errors += 1;
    log.push({ id: newId(), connection_id: id, at: toDbTime(clock.now()), replayed_at: null, ...entry });
  };

  /** HubSpot's owners matched to Baton's people by email; an owner with no Baton user is logged once. */
  async function loadOwners() {
    if (owners) return owners;
    const users = await findActiveUsersByEmail(db);
    const byRemote = new Map<string, string>();
    const byLocal = new Map<string, string>();
    for (const owner of await api.owners()) {
      const userId = users.get(owner.email.toLowerCase());
      if (userId) {
        byRemote.set(owner.id, userId);
        byLocal.set(userId, owner.id);
      }
    }
    owners = { byRemote, byLocal };
    return owners;
  }

  /** A HubSpot owner named on a record who is nobody in Baton: logged once per owner, for an admin. */
  async function unknownOwner(remoteOwner: string, what: string) {
    if (await hasLogEntry(db, id, 'connectors.unknown_owner', remoteOwner)) return;
    note({
      direction: 'in',
      object_type: 'owner',
      remote_id: remoteOwner,
      local_id: null,
      outcome: 'error',
      code: 'connectors.unknown_owner',
      message: `HubSpot owner ${remoteOwner} (on ${what}) is no active Baton user with the same email: invite them, or give the records another owner`,
      payload: null,
    });
  }

  /** People from HubSpot: created or completed in Baton, linked by id; Baton's own echo skipped. */
  async function pullContacts(records: readonly CrmRecord[]): Promise<Map<string, string>> {
    const linked = new Map<string, string>();
    const links = new Map(
      (
        await findLinksByRemote(
          db,
          id,
          'contact',
          records.map((r) => r.id),
        )
      ).map((l) => [l.remote_id, l]),
    );
    const now = clock.now();
    const work: { record: CrmRecord; pulled: string; prepared: ReturnType<typeof prepareContactRow> }[] = [];
    for (const record of records) {
      const link = links.get(record.id);
      const fields = inFieldsOf(mapping, record);
      const pulled = hash(fields);
      const pushed = hash(Object.fromEntries(outFields.map((p) => [p, record.properties[p] ?? null])));
      // Nothing Baton reads changed, and what it wrote is what is there: Baton's own write came back.
      if (link && link.pulled_hash === pulled && (link.pushed_hash === null || link.pushed_hash === pushed)) {
        counts.echoes += 1;
        linked.set(record.id, link.local_id);
        continue;
      }
      const email = record.properties.email?.trim();
      const row = {
        ...(email ? { email } : { externalId: `hubspot:${record.id}` }),
        ...fields,
      };
      const prepared = prepareContactRow(row, work.length, now);
      if (!prepared.ok) {
        note({
          direction: 'in',
          object_type: 'contact',
          remote_id: record.id,
          local_id: link?.local_id ?? null,
          outcome: 'error',
          code: 'connectors.invalid_record',
          message: prepared.errors.map((e) => `${e.field} ${e.reason}`).join('; '),
          payload: JSON.stringify({ type: 'contacts', id: record.id }),
        });
        continue;
      }
      work.push({ record, pulled, prepared });
    }
    if (work.length === 0) return linked;
    const results = await capture.ingestPrepared(
      origin,
      work.map((w) => w.prepared),
    );
    const at = toDbTime(clock.now());
    for (const [i, result] of results.entries()) {
      const { record, pulled } = work[i]!;
      if (!result.contactId || result.status === 'rejected') {
        note({
          direction: 'in',
          object_type: 'contact',
          remote_id: record.id,
          local_id: null,
          outcome: 'error',
          code: 'connectors.refused',
          message: result.errors?.map((e) => `${e.field} ${e.reason}`).join('; ') ?? 'refused',
          payload: JSON.stringify({ type: 'contacts', id: record.id }),
        });
        continue;
      }
      const link = links.get(record.id);
      await upsertLink(db, {
        connection_id: id,
        object_type: 'contact',
        remote_id: record.id,
        local_id: result.contactId,
        pushed_hash: link?.local_id === result.contactId ? link.pushed_hash : null,
        pushed_at:
          link?.local_id === result.contactId && link.pushed_at ? toDbTime(fromDbTime(link.pushed_at)) : null,
        pulled_hash: pulled,
        pulled_at: at,
      });
      linked.set(record.id, result.contactId);
      counts.contactsIn += 1;
    }
    return linked;
  }

  /** Calls, meetings and emails as sales activities on the leads they are with; clocks settled. */
  async function pullActivities(type: HubSpotActivityType, records: readonly CrmRecord[]) {
    const { byRemote } = await loadOwners();
    const withContacts = records.filter((r) => r.associations.contacts !== undefined);
    const associations = await api.associations(
      type,
      'contacts',
      records.filter((r) => r.associations.contacts === undefined).map((r) => r.id),
    );
    for (const r of withContacts) associations.set(r.id, r.associations.contacts!);
    const remoteContacts = [...new Set([...associations.values()].flat())];
    const local = new Map(
      (await findLinksByRemote(db, id, 'contact', remoteContacts)).map((l) => [l.remote_id, l.local_id]),
    );
    // A person the activity is with that Baton has not read yet (made in the same minute).
    const missing = remoteContacts.filter((c) => !local.has(c));
    if (missing.length > 0) {
      const fetched: CrmRecord[] = [];
      for (const remote of missing) {
        const record = await api.get('contacts', remote, contactProperties, []);
        if (record) fetched.push(record);
      }
      for (const [remote, localId] of await pullContacts(fetched)) local.set(remote, localId);
    }
    const people = new Map(
      (await findContactsForPush(db, [...new Set(local.values())])).map((c) => [c.id, c]),
    );
    const now = clock.now();
    const prepared: ReturnType<typeof prepare>[] = [];
    const about: string[] = [];
    for (const record of records) {
      const event = activityEventOf(type, record.properties, now);
      if (!event) continue;
      const remoteOwner = record.properties.hubspot_owner_id ?? null;
      const userId = remoteOwner ? (byRemote.get(remoteOwner) ?? null) : null;
      if (remoteOwner && !userId) await unknownOwner(remoteOwner, `${type} ${record.id}`);
      for (const remoteContact of associations.get(record.id) ?? []) {
        const contactId = local.get(remoteContact);
        const person = contactId ? people.get(contactId) : undefined;
        if (!contactId || !person?.email) continue;
        prepared.push(
          prepare(
            {
              id: `hubspot:${id}:${type}:${record.id}:${remoteContact}`,
              type: event.type,
              occurredAt: new Date(Math.min(event.at.getTime(), now.getTime())).toISOString(),
              email: person.email,
              ...(userId && { userId }),
              properties: { via: 'hubspot', ...(event.subject && { subject: event.subject.slice(0, 300) }) },
            },
            prepared.length,
            now,
          ),
        );
        about.push(contactId);
      }
    }
    if (prepared.length === 0) return;
    const results = await capture.ingestPrepared(origin, prepared);
    const settled = new Set<string>();
    for (const [i, result] of results.entries()) {
      if (result.status === 'rejected') {
        note({
          direction: 'in',
          object_type: type,
          remote_id: null,
          local_id: about[i] ?? null,
          outcome: 'error',
          code: 'connectors.refused',
          message: result.errors?.map((e) => `${e.field} ${e.reason}`).join('; ') ?? 'refused',
          payload: null,
        });
        continue;
      }
      if (result.status === 'accepted') counts.activitiesIn += 1;
      settled.add(about[i]!);
    }
    for (const contactId of settled) await settle(contactId);
  }

  /**
   * Reads one object type from its cursor, a page at a time, the cursor moved after each page is
   * stored. HubSpot's search stops at 10,000 results, so the window starts again at the last
   * modification time seen; records of that instant are read twice, which changes nothing.
   */
  async function pullType(
    type: string,
    properties: string[],
    handle: (records: CrmRecord[]) => Promise<unknown>,
  ) {
    const saved = await findCursor(db, id, type);
    let since = new Date(saved ?? 0);
    let after: string | null = null;
    let read = 0;
    for (;;) {
      const page = await api.searchModified(type, since, properties, after, pageSize);
      if (page.results.length === 0) break;
      await handle(page.results);
      const last = page.results.at(-1)!.properties[modifiedProperty(type)];
      const lastSeen = last ? new Date(last) : since;
      await saveCursor(db, id, type, lastSeen.toISOString(), toDbTime(clock.now()));
      read += page.results.length;
      if (page.after === null) break;
      if (Number(page.after) + pageSize > searchCap) {
        // The same instant across a whole window would never end: go one millisecond on.
        since = lastSeen.getTime() === since.getTime() ? new Date(since.getTime() + 1) : lastSeen;
        after = null;
      } else after = page.after;
    }
    return read;
  }

  /** Baton's decisions into HubSpot: each changed lead's owner, lifecycle stage and lead status. */
  async function pushLeads(only?: readonly string[]) {
    const { byLocal } = await loadOwners();
    const cursor = only ? null : await findCursor(db, id, 'out:contacts');
    const start = '00000000-0000-0000-0000-000000000000';
    const [since, afterId] = cursor
      ? (JSON.parse(cursor) as [string, string])
      : ['1970-01-01T00:00:00.000Z', start];
    const lagged = toDbTime(new Date(Math.max(0, new Date(since).getTime() - pushLagMs)));
    let position: [string, string] = [lagged, start];
    let newest: [string, string] = [since, afterId];
    for (;;) {
      const leads = only
        ? await findContactsForPush(db, only)
        : await findChangedLeads(db, position[0], position[1], 200);
      if (leads.length === 0) break;
      const links = new Map(
        (
          await findLinksByLocal(
            db,
            id,
            'contact',
            leads.map((l) => l.id),
          )
        ).map((l) => [l.local_id, l]),
      );
      for (const lead of leads) {
        if (!lead.email) continue;
        const owner = pushesOwner && lead.owner_id ? (byLocal.get(lead.owner_id) ?? null) : null;
        if (
          pushesOwner &&
          lead.owner_id &&
          owner === null &&
          !(await hasLogEntry(db, id, 'connectors.owner_not_in_crm', lead.owner_id))
        )
          note({
            direction: 'out',
            object_type: 'owner',
            remote_id: lead.owner_id,
            local_id: lead.owner_id,
            outcome: 'error',
            code: 'connectors.owner_not_in_crm',
            message:
              "The lead's owner is no HubSpot owner with the same email: their leads go out without an owner",
            payload: null,
          });
        // The log's remote_id holds the Baton user here, so the entry is made once per person.
        const properties = pushesStage ? outPropertiesOf(owner, lead.stage) : outPropertiesOf(owner, '');
        if (!pushesStage) {
          delete properties.lifecyclestage;
          delete properties.hs_lead_status;
        }
        const fingerprint = hash(Object.fromEntries(outFields.map((p) => [p, properties[p] ?? null])));
        const link = links.get(lead.id);
        if (link?.pushed_hash === fingerprint) continue;
        try {
          let remote = link?.remote_id ?? null;
          if (remote === null) {
            try {
              remote = await api.create('contacts', { email: lead.email, ...properties }, []);
            } catch (error) {
              if (!(error instanceof CrmError && error.failure === 'conflict' && error.existingId))
                throw error;
              remote = error.existingId;
              await writeContact(remote, properties);
            }
          } else await writeContact(remote, properties);
          await upsertLink(db, {
            connection_id: id,
            object_type: 'contact',
            remote_id: remote,
            local_id: lead.id,
            pushed_hash: fingerprint,
            pushed_at: toDbTime(clock.now()),
            pulled_hash: link?.remote_id === remote ? link.pulled_hash : null,
            pulled_at:
              link?.remote_id === remote && link.pulled_at ? toDbTime(fromDbTime(link.pulled_at)) : null,
          });
          counts.contactsOut += 1;
        } catch (error) {
          if (
            error instanceof CrmError &&
            (error.failure === 'auth' || error.failure === 'rate_limited' || error.failure === 'unavailable')
          )
            throw error;
          note({
            direction: 'out',
            object_type: 'contact',
            remote_id: link?.remote_id ?? null,
            local_id: lead.id,
            outcome: 'error',
            code:
              error instanceof CrmError && error.failure === 'not_found'
                ? 'connectors.deleted_in_crm'
                : 'connectors.write_refused',
            message: error instanceof Error ? error.message : String(error),
            payload: JSON.stringify({ type: 'contacts', localId: lead.id }),
          });
        }
      }
      if (only) break;
      const last = leads.at(-1)!;
      position = [toDbTime(new Date(last.updated_at)), last.id];
      if (position[0] > newest[0] || (position[0] === newest[0] && position[1] > newest[1]))
        newest = position;
      await saveCursor(db, id, 'out:contacts', JSON.stringify(newest), toDbTime(clock.now()));
      if (leads.length < 200) break;
    }
  }

  /** Updates a contact; a lifecycle stage HubSpot will not move back to is cleared first, as HubSpot asks. */
  async function writeContact(remote: string, properties: Record<string, string>) {
    try {
      await api.update('contacts', remote, properties);
    } catch (error) {
      if (!(
        error instanceof CrmError &&
        error.failure === 'invalid' &&
        /lifecyclestage/i.test(error.message)
      ))
        throw error;
      await api.update('contacts', remote, { lifecyclestage: '' });
      await api.update('contacts', remote, properties);
    }
  }

  const activityTypes = Object.keys(hubspotActivityTypes) as HubSpotActivityType[];

  return {
    counts,
    log,
    /** One full turn: owners, people, activities in; decisions out. */
    async run() {
      await loadOwners();
      await pullType('contacts', contactProperties, (records) => pullContacts(records));
      for (const type of activityTypes)
        await pullType(type, [...hubspotActivityTypes[type]], (records) => pullActivities(type, records));
      await pushLeads();
    },
    /** What a webhook named: the records themselves read again (HubSpot's events carry no values). */
    async pullRecords(type: string, ids: readonly string[]) {
      if (type === 'contacts') {
        const records: CrmRecord[] = [];
        for (const remote of ids) {
          const record = await api.get('contacts', remote, contactProperties, []);
          if (record) records.push(record);
        }
        await pullContacts(records);
        return;
      }
      if (!(type in hubspotActivityTypes)) return;
      const activity = type as HubSpotActivityType;
      const records: CrmRecord[] = [];
      for (const remote of ids) {
        const record = await api.get(activity, remote, [...hubspotActivityTypes[activity]], ['contacts']);
        if (record)
          records.push({ ...record, associations: { contacts: record.associations.contacts ?? [] } });
      }
      await pullActivities(activity, records);
    },
    /** Baton's decisions on these people, written now (a replay). */
    pushLeads,
  };
}

export type HubSpotSync = ReturnType<typeof createHubSpotSync>;
