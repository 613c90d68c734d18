import {
  activityEventOf,
  amountMinorOf,
  dealStageFor,
  hubspotActivityTypes,
  hubspotCompanyProperties,
  hubspotDealProperties,
  hubspotStageOf,
  type FieldMapping,
  type HubSpotActivityType,
} from '../../../domain/connectors/hubspot.ts';
import { stageFor } from '../../../domain/capture/record-columns.ts';
import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import { CrmError, modifiedProperty, type CrmRecord, type HubSpotApi } from '../../platform/hubspot.ts';
import { findOpportunityStages } from '../opportunities/opportunities.repository.ts';
import {
  findChangedLeads,
  findContactsForPush,
  findCursor,
  findLinksByLocal,
  hasLogEntry,
  saveCursor,
  upsertLink,
  type ConnectionRow,
} from './connectors.repository.ts';
import { pushOpportunities, pushRejectionNotes } from './outbound.ts';
import {
  createInbound,
  matchOwners,
  writtenHash,
  type InActivity,
  type InboundDeps,
  type InCompany,
  type InDeal,
  type InPerson,
} from './inbound.ts';

/*
 * The HubSpot connector: one sync reads what changed in HubSpot since each cursor (owners,
 * companies, people, deals, then calls, meetings and emails, which answer the leads' clocks) and
 * writes Baton's decisions back (each lead's owner, lifecycle stage and lead status). A type never
 * read is backfilled first through the list API (id order, outside the search API's budget and its
 * 10,000 cap), a page at a time with its place saved; after that, the search API by modification
 * time. Every step is safe to repeat: records are linked by id, activities are events named by
 * their HubSpot id, deals opportunities by theirs, and a write that would change nothing is not
 * sent. So a sync cut short (a crash, a 429 storm, a revoked token) resumes from the cursors and
 * duplicates nothing.
 */

export interface SyncDeps extends InboundDeps {
  /** After each page: the records read (the backfill's progress), and a chance to hold the lease. */
  onPage?: (read: number, backfill: boolean) => Promise<void>;
}

/** A search page: HubSpot's maximum is 200. */
const pageSize = 100;
/** A list page: HubSpot's maximum is 100. */
const listSize = 100;
/** HubSpot's search stops at 10,000 results: the window is narrowed from the last time seen before it. */
const searchCap = 10_000;
/** A change committed late in Baton (a long transaction) is still seen when the out cursor lags this much. */
const pushLagMs = 60_000;
/** Changes made in HubSpot while a backfill ran are read again by the search that follows it. */
const backfillOverlapMs = 60_000;

/** What Baton writes to a contact; its fingerprint tells Baton's own change when it comes back. */
const outPropertiesOf = (owner: string | null, stage: string): Record<string, string> => {
  const lifecycle = hubspotStageOf(stage);
  return {
    ...(owner !== null && { hubspot_owner_id: owner }),
    ...(lifecycle ?? {}),
  };
};

const dateOf = (value: string | null | undefined): Date | null => {
  if (!value) return null;
  const at = new Date(/^\d+$/.test(value) ? Number(value) : value);
  return Number.isNaN(at.getTime()) ? null : at;
};

export function createHubSpotSync(
  deps: SyncDeps,
  connection: ConnectionRow,
  api: HubSpotApi,
  mapping: readonly FieldMapping[],
) {
  const { db, clock } = deps;
  const id = connection.id;
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
  let owners: Awaited<ReturnType<typeof matchOwners>> | null = null;
  const loadOwners = async () => (owners ??= await matchOwners(db, await api.owners()));
  const inbound = createInbound(deps, connection, loadOwners);
  const { counts, log, note } = inbound;

  /** A HubSpot contact as a person: the fields the mapping reads, and what Baton wrote. */
  const personOf = (record: CrmRecord): InPerson => {
    const fields: Record<string, string> = {};
    for (const m of mapping) {
      if (m.direction === 'out' || m.field === 'owner' || m.field === 'stage') continue;
      const value = record.properties[m.property]?.trim();
      if (value) fields[m.field] = value;
    }
    return {
      remoteId: record.id,
      email: record.properties.email ?? null,
      fields,
      written: Object.fromEntries(outFields.map((p) => [p, record.properties[p] ?? null])),
    };
  };

  const fetchPeople = async (remoteIds: string[]): Promise<InPerson[]> => {
    const found: InPerson[] = [];
    for (const remote of remoteIds) {
      const record = await api.get('contacts', remote, contactProperties, []);
      if (record) found.push(personOf(record));
    }
    return found;
  };

  const companyOf = (record: CrmRecord): InCompany => {
    const p = record.properties;
    const employees = Number(p.numberofemployees);
    return {
      remoteId: record.id,
      name: p.name ?? null,
      domain: p.domain ?? null,
      industry: p.industry ?? null,
      employees: p.numberofemployees && Number.isInteger(employees) && employees >= 0 ? employees : null,
      country: p.country ?? null,
      remoteOwner: p.hubspot_owner_id ?? null,
    };
  };

  /** HubSpot's deal stages as Baton's, read once per sync. */
  let stages: Map<string, string | null> | null = null;
  let remoteStages: Awaited<ReturnType<HubSpotApi['dealStages']>> = [];
  async function stageMap() {
    if (stages) return stages;
    const local = (await findOpportunityStages(db))
      .filter((s) => Boolean(s.is_active))
      .map((s) => ({
        key: s.key,
        names: [s.name_en, s.name_nl],
        outcome: s.outcome,
        probability: Number(s.probability),
      }));
    remoteStages = await api.dealStages();
    stages = new Map(
      remoteStages.map((remote) => [
        remote.id,
        dealStageFor(remote, local, (label) => stageFor(label, local)),
      ]),
    );
    return stages;
  }

  const dealOf = (record: CrmRecord, known: Map<string, string | null>): InDeal => {
    const p = record.properties;
    const createdAt = dateOf(p.createdate) ?? clock.now();
    const stage = known.get(p.dealstage ?? '') ?? null;
    const closeDate = dateOf(p.closedate);
    return {
      remoteId: record.id,
      name: p.dealname?.trim() ?? '',
      stage,
      remoteStage: p.dealstage ?? '(none)',
      amountMinor: amountMinorOf(p.amount),
      currency: (p.deal_currency_code ?? 'EUR').toUpperCase().slice(0, 3),
      expectedCloseOn: closeDate ? closeDate.toISOString().slice(0, 10) : null,
      closedOn: closeDate ? closeDate.toISOString().slice(0, 10) : null,
      createdAt,
      stageChangedAt:
        dateOf(p.hs_v2_date_entered_current_stage) ?? dateOf(p.hs_lastmodifieddate) ?? createdAt,
      remoteOwner: p.hubspot_owner_id ?? null,
      remoteContacts: record.associations.contacts ?? [],
      remoteCompanies: record.associations.companies ?? [],
    };
  };

  const activityOf = (type: HubSpotActivityType, record: CrmRecord, now: Date): InActivity => ({
    remoteId: record.id,
    kind: type,
    event: activityEventOf(type, record.properties, now),
    remoteOwner: record.properties.hubspot_owner_id ?? null,
    remoteContacts: record.associations.contacts ?? [],
  });

  /** Associations a search result does not carry, read in batches. */
  async function withAssociations(type: string, records: CrmRecord[], toTypes: string[]) {
    for (const toType of toTypes) {
      const lacking = records.filter((r) => r.associations[toType] === undefined).map((r) => r.id);
      if (lacking.length === 0) continue;
      const found = await api.associations(type, toType, lacking);
      for (const r of records)
        if (r.associations[toType] === undefined) r.associations[toType] = found.get(r.id) ?? [];
    }
    return records;
  }

  /** Each type Baton reads: its properties, the associations it needs, and where it goes. */
  const readers: {
    type: string;
    properties: string[];
    associations: string[];
    handle: (records: CrmRecord[]) => Promise<unknown>;
  }[] = [
    {
      type: 'companies',
      properties: [...hubspotCompanyProperties],
      associations: [],
      handle: (records) => inbound.companies(records.map(companyOf)),
    },
    {
      type: 'contacts',
      properties: contactProperties,
      associations: [],
      handle: (records) => inbound.people(records.map(personOf), 'contacts'),
    },
    {
      type: 'deals',
      properties: [...hubspotDealProperties],
      associations: ['contacts', 'companies'],
      handle: async (records) => {
        const known = await stageMap();
        await withAssociations('deals', records, ['contacts', 'companies']);
        await inbound.deals(
          records.map((r) => dealOf(r, known)),
          fetchPeople,
          'deals',
        );
      },
    },
    ...(Object.keys(hubspotActivityTypes) as HubSpotActivityType[]).map((type) => ({
      type,
      properties: [...hubspotActivityTypes[type]],
      associations: ['contacts'],
      handle: async (records: CrmRecord[]) => {
        await withAssociations(type, records, ['contacts']);
        const now = clock.now();
        await inbound.activities(
          records.map((r) => activityOf(type, r, now)),
          fetchPeople,
        );
      },
    })),
  ];

  /**
   * A type never read: every record through the list API, its place saved after each page, then
   * the search cursor set to the backfill's start (less an overlap).
   */
  async function backfill(reader: (typeof readers)[number]) {
    const saved = await findCursor(db, id, `backfill:${reader.type}`);
    const state = saved
      ? (JSON.parse(saved) as { after: string | null; startedAt: string })
      : { after: null, startedAt: clock.now().toISOString() };
    let after = state.after;
    const read = (from: string | null) => {
      const reading = api.list(reader.type, reader.properties, reader.associations, from, listSize);
      // Read ahead while this page is stored; a failure is met when that page is wanted.
      reading.catch(() => undefined);
      return reading;
    };
    let reading = read(after);
    for (;;) {
      const page = await reading;
      if (page.after !== null) reading = read(page.after);
      if (page.results.length > 0) await reader.handle(page.results);
      after = page.after;
      await saveCursor(
        db,
        id,
        `backfill:${reader.type}`,
        JSON.stringify({ after, startedAt: state.startedAt }),
        toDbTime(clock.now()),
      );
      await deps.onPage?.(page.results.length, true);
      if (after === null) break;
    }
    const since = new Date(new Date(state.startedAt).getTime() - backfillOverlapMs);
    await saveCursor(db, id, reader.type, since.toISOString(), toDbTime(clock.now()));
  }

  /**
   * Reads one object type from its cursor, a page at a time, the cursor moved after each page is
   * stored. HubSpot's search stops at 10,000 results, so the window starts again at the last
   * modification time seen; records of that instant are read twice, which changes nothing.
   */
  async function pullType(reader: (typeof readers)[number]) {
    const saved = await findCursor(db, id, reader.type);
    if (saved === null) return backfill(reader);
    let since = new Date(saved);
    let after: string | null = null;
    for (;;) {
      const page = await api.searchModified(reader.type, since, reader.properties, after, pageSize);
      if (page.results.length === 0) break;
      await reader.handle(page.results);
      const last = page.results.at(-1)!.properties[modifiedProperty(reader.type)];
      const lastSeen = last ? new Date(last) : since;
      await saveCursor(db, id, reader.type, lastSeen.toISOString(), toDbTime(clock.now()));
      await deps.onPage?.(page.results.length, false);
      if (page.after === null) break;
      if (Number(page.after) + pageSize > searchCap) {
        // The same instant across a whole window would never end: go one millisecond on.
        since = lastSeen.getTime() === since.getTime() ? new Date(since.getTime() + 1) : lastSeen;
        after = null;
      } else after = page.after;
    }
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
        const fingerprint = writtenHash(Object.fromEntries(outFields.map((p) => [p, properties[p] ?? null])));
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

  return {
    counts,
    log,
    unknownOwners: inbound.unknownOwners,
    /** One full turn: owners, companies, people, deals, activities in; decisions out. */
    async run() {
      await loadOwners();
      for (const reader of readers) await pullType(reader);
      await pushLeads();
      await pushOpportunities(deps, connection, inbound, {
        // HubSpot's default association of a deal to a contact: 3.
        create: async (person, deal) => {
          const known = await stageMap();
          const closed = remoteStages.find(
            (r) => r.isClosed && (deal.outcome === 'won' ? r.probability >= 1 : r.probability < 1),
          );
          const stage =
            remoteStages.find(
              (r) => known.get(r.id) === deal.stage && r.isClosed === (deal.outcome !== 'open'),
            ) ?? (deal.outcome === 'open' ? remoteStages.find((r) => !r.isClosed) : closed);
          const owner = deal.ownerId ? (await loadOwners()).byLocal.get(deal.ownerId) : undefined;
          const id = await api.create(
            'deals',
            {
              dealname: deal.name,
              description: deal.marker,
              deal_currency_code: deal.currency,
              ...(stage && { dealstage: stage.id }),
              ...(deal.amountMinor !== null && { amount: (deal.amountMinor / 100).toFixed(2) }),
              ...(deal.closeOn && { closedate: `${deal.closeOn}T00:00:00.000Z` }),
              ...(owner && { hubspot_owner_id: owner }),
            },
            [{ toId: person, typeId: 3 }],
          );
          return { id, stage: stage?.id ?? null };
        },
        find: async (person, marker) => {
          for (const deal of (await api.associations('contacts', 'deals', [person])).get(person) ?? []) {
            const found = await api.get('deals', deal, ['description', 'dealstage'], []);
            if (found?.properties.description?.includes(marker))
              return { id: deal, stage: found.properties.dealstage ?? null };
          }
          return null;
        },
      });
      await pushRejectionNotes(deps, connection, inbound, {
        // HubSpot's default association of a note to a contact: 202.
        create: (person, body, at) =>
          api.create('notes', { hs_timestamp: at.toISOString(), hs_note_body: body }, [
            { toId: person, typeId: 202 },
          ]),
        find: async (person, marker) => {
          for (const note of (await api.associations('contacts', 'notes', [person])).get(person) ?? []) {
            const found = await api.get('notes', note, ['hs_note_body'], []);
            if (found?.properties.hs_note_body?.includes(marker)) return note;
          }
          return null;
        },
      });
    },
    /** How many records of each type HubSpot has: the backfill's total. */
    async totals() {
      let total = 0;
      for (const reader of readers) total += await api.count(reader.type);
      return total;
    },
    /** What a webhook named: the records themselves read again (HubSpot's events carry no values). */
    async pullRecords(type: string, ids: readonly string[]) {
      const reader = readers.find((r) => r.type === type);
      if (!reader) return;
      const records: CrmRecord[] = [];
      for (const remote of ids) {
        const record = await api.get(type, remote, reader.properties, reader.associations);
        if (record) records.push(record);
      }
      for (const record of records)
        for (const toType of reader.associations) record.associations[toType] ??= [];
      if (records.length > 0) await reader.handle(records);
    },
    /** Baton's decisions on these people, written now (a replay). */
    pushLeads,
  };
}

export type HubSpotSync = ReturnType<typeof createHubSpotSync>;
