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
import { toDbTime } from '../../db/dialect.ts';
import { CrmError, modifiedProperty, type CrmRecord, type HubSpotApi } from '../../platform/hubspot.ts';
import { findOpportunityStages } from '../opportunities/opportunities.repository.ts';
import { findCursor, saveCursor, type ConnectionRow } from './connectors.repository.ts';
import {
  personValuesOut,
  propertiesWritten,
  pushBreachTasks,
  pushChangedLeads,
  pushOpportunities,
  pushRejectionNotes,
  type OutLead,
} from './outbound.ts';
import { inRule } from '../../../domain/connectors/mapping.ts';
import {
  createInbound,
  matchOwners,
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

/** A connection's choices beside its mapping. */
export interface ConnectionSettings {
  /** A missed follow-up becomes a task for the rep's manager on the person. */
  breachTasks: boolean;
}

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
/** How often HubSpot's archive is read for deletions no webhook told of. */
const removedSweepMs = 60 * 60_000;
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
  settings: ConnectionSettings = { breachTasks: false },
) {
  const { db, clock } = deps;
  const id = connection.id;
  const pushesOwner = mapping.some((m) => m.field === 'owner' && m.direction !== 'in');
  const pushesStage = mapping.some((m) => m.field === 'stage' && m.direction !== 'in');
  // The lead status goes with the stage.
  const outFields = [...propertiesWritten(mapping), ...(pushesStage ? ['hs_lead_status'] : [])];
  const contactProperties = [
    'email',
    ...new Set([
      ...mapping.map((m) => m.property),
      'hs_lead_status',
      'hubspot_owner_id',
      'lifecyclestage',
      // The ids merged into this contact: their links are the merged one's from then on.
      'hs_merged_object_ids',
    ]),
  ];
  let owners: Awaited<ReturnType<typeof matchOwners>> | null = null;
  const loadOwners = async () => (owners ??= await matchOwners(db, await api.owners()));
  const inbound = createInbound(deps, connection, loadOwners);
  const { counts, log } = inbound;

  /** A HubSpot contact as a person: the fields the mapping reads, and what Baton wrote. */
  const personOf = (record: CrmRecord): InPerson => {
    const fields: Record<string, string> = {};
    const wins: string[] = [];
    for (const m of mapping) {
      const rule = inRule(m);
      const value = rule && record.properties[m.property]?.trim();
      if (!value) continue;
      fields[m.field] = value;
      if (rule === 'overwrite') wins.push(m.field);
    }
    return {
      remoteId: record.id,
      email: record.properties.email ?? null,
      fields,
      wins,
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
      handle: async (records) => {
        await inbound.people(records.map(personOf), 'contacts');
        for (const record of records) {
          const merged = record.properties.hs_merged_object_ids?.split(';').filter(Boolean) ?? [];
          if (merged.length > 0) await inbound.merged('contact', record.id, merged);
        }
      },
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
    const propertiesOf = (lead: OutLead, owner: string | null, creating = false) => {
      const properties = {
        ...personValuesOut(mapping, lead, creating),
        ...outPropertiesOf(owner, pushesStage ? lead.stage : ''),
      };
      if (!pushesStage) {
        delete properties.lifecyclestage;
        delete properties.hs_lead_status;
      }
      return properties;
    };
    await pushChangedLeads(
      deps,
      connection,
      inbound,
      byLocal,
      'HubSpot',
      {
        cursor: 'out:contacts',
        replayType: 'contacts',
        pushesOwner,
        written: (lead, owner) => {
          const properties = propertiesOf(lead, owner);
          return Object.fromEntries(outFields.map((p) => [p, properties[p] ?? null]));
        },
        create: async (lead, owner) => {
          const properties = propertiesOf(lead, owner, true);
          try {
            return await api.create('contacts', { email: lead.email!, ...properties }, []);
          } catch (error) {
            if (!(error instanceof CrmError && error.failure === 'conflict' && error.existingId)) throw error;
            // A person HubSpot has already: Baton's values fill nothing there.
            await writeContact(error.existingId, propertiesOf(lead, owner));
            return error.existingId;
          }
        },
        update: (remote, lead, owner) => writeContact(remote, propertiesOf(lead, owner)),
      },
      only,
    );
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

  /**
   * Records deleted in HubSpot since Baton linked them, read from its archive (kept 90 days) at most
   * once an hour: webhooks tell of a deletion at once, this finds those a webhook never told.
   */
  async function sweepRemoved() {
    const last = await findCursor(db, id, 'removed:swept');
    if (last && clock.now().getTime() - new Date(last).getTime() < removedSweepMs) return;
    for (const [type, linked] of [
      ['companies', 'company'],
      ['contacts', 'contact'],
      ['deals', 'deal'],
    ] as const) {
      let after: string | null = null;
      do {
        const page = await api.listArchived(type, after);
        await inbound.removed(linked, page.ids);
        after = page.after;
        await deps.onPage?.(0, false);
      } while (after !== null);
    }
    await saveCursor(db, id, 'removed:swept', clock.now().toISOString(), toDbTime(clock.now()));
  }

  return {
    counts,
    log,
    unknownOwners: inbound.unknownOwners,
    problems: inbound.problems,
    removeRecords: inbound.removeRecords,
    mergeRecords: inbound.mergeRecords,
    /** One full turn: owners, companies, people, deals, activities in; decisions out. */
    async run() {
      await loadOwners();
      for (const reader of readers) await pullType(reader);
      if (connection.backfill_state === 'done') await sweepRemoved();
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
      if (settings.breachTasks)
        await pushBreachTasks(deps, connection, inbound, {
          // HubSpot's default association of a task to a contact: 204.
          create: async (person, task) => {
            const owner = task.userId ? (await loadOwners()).byLocal.get(task.userId) : undefined;
            return api.create(
              'tasks',
              {
                hs_timestamp: task.due.toISOString(),
                hs_task_subject: task.subject,
                hs_task_body: task.body,
                hs_task_status: 'NOT_STARTED',
                hs_task_priority: 'HIGH',
                hs_task_type: 'TODO',
                ...(owner && { hubspot_owner_id: owner }),
              },
              [{ toId: person, typeId: 204 }],
            );
          },
          find: async (person, marker) => {
            for (const task of (await api.associations('contacts', 'tasks', [person])).get(person) ?? []) {
              const found = await api.get('tasks', task, ['hs_task_body'], []);
              if (found?.properties.hs_task_body?.includes(marker)) return task;
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
