import type { FieldMapping } from '../../../domain/connectors/hubspot.ts';
import { amountMinorOf, dealStageFor } from '../../../domain/connectors/hubspot.ts';
import {
  pipedriveActivityEventOf,
  pipedriveStageField,
  pipedriveStageOf,
  pipedriveTime,
} from '../../../domain/connectors/pipedrive.ts';
import { stageFor } from '../../../domain/capture/record-columns.ts';
import { toDbTime } from '../../db/dialect.ts';
import type { PipedriveApi, PipedriveRecord, PipedriveType } from '../../platform/pipedrive.ts';
import { findOpportunityStages } from '../opportunities/opportunities.repository.ts';
import { findCursor, saveCursor, type ConnectionRow } from './connectors.repository.ts';
import type { ConnectionSettings, SyncDeps } from './hubspot.connector.ts';
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

/** Pipedrive's own person fields (the rest are custom fields, by their keys). */
const standardPersonFields = new Set(['name', 'first_name', 'last_name', 'job_title', 'phones']);
import {
  createInbound,
  matchOwners,
  type InActivity,
  type InCompany,
  type InDeal,
  type InPerson,
} from './inbound.ts';

/*
 * The Pipedrive connector: one sync reads what changed in Pipedrive since each cursor
 * (organizations, persons, deals, then activities, which answer the leads' clocks) through API v2,
 * and writes Baton's decisions back (each lead's owner, and its stage into a "Baton stage" person
 * field Baton adds when it is missing). A type never read is backfilled first, in id order with
 * Pipedrive's cursor, its place saved after each page; after that it is read by `updated_since`,
 * oldest change first. Every step is safe to repeat, as in the HubSpot connector.
 */

/** Pipedrive's largest page. */
const pageSize = 500;
const backfillOverlapMs = 60_000;

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
const idOf = (value: unknown): string | null =>
  typeof value === 'number' || (typeof value === 'string' && value !== '') ? String(value) : null;
/** The primary (else first) value of a Pipedrive list of emails or phones. */
const primaryOf = (value: unknown): string | null => {
  if (!Array.isArray(value)) return text(value);
  const items = value as { value?: string; primary?: boolean }[];
  return text((items.find((i) => i.primary) ?? items[0])?.value);
};

export function createPipedriveSync(
  deps: SyncDeps,
  connection: ConnectionRow,
  api: PipedriveApi,
  mapping: readonly FieldMapping[],
  settings: ConnectionSettings = { breachTasks: false },
) {
  const { db, clock } = deps;
  const id = connection.id;
  const pushesOwner = mapping.some((m) => m.field === 'owner' && m.direction !== 'in');
  /** The person fields Baton writes on every change (Baton their system of record). */
  const alwaysOut = propertiesWritten(mapping.filter((m) => m.field !== 'owner' && m.field !== 'stage'));
  const pushesStage = mapping.some((m) => m.field === 'stage' && m.direction !== 'in');
  let owners: Awaited<ReturnType<typeof matchOwners>> | null = null;
  const loadOwners = async () => (owners ??= await matchOwners(db, await api.users()));
  const inbound = createInbound(deps, connection, loadOwners);
  const { counts, log } = inbound;

  /** The "Baton stage" person field's code: found, or added to the person fields once. */
  let stageCode: string | null = null;
  async function stageField(): Promise<string> {
    if (stageCode) return stageCode;
    const saved = await findCursor(db, id, 'field:stage');
    if (saved) return (stageCode = saved);
    const found = (await api.personFields()).find((f) => f.name === pipedriveStageField);
    stageCode = found?.code ?? (await api.addPersonField(pipedriveStageField));
    await saveCursor(db, id, 'field:stage', stageCode, toDbTime(clock.now()));
    return stageCode;
  }

  /** What Baton writes to a person, by property; its fingerprint tells Baton's write when it comes back. */
  const writtenOf = (record: PipedriveRecord, code: string | null): Record<string, string | null> => ({
    ...Object.fromEntries(alwaysOut.map((p) => [p, valueIn(record, p)])),
    ...(pushesOwner && { owner_id: idOf(record.owner_id) }),
    ...(pushesStage &&
      code && { [code]: text((record.custom_fields as Record<string, unknown> | undefined)?.[code]) }),
  });

  /** A person's value of a property: a standard field, its primary phone or email, or a custom field. */
  const valueIn = (record: PipedriveRecord, property: string): string | null =>
    property === 'phones' || property === 'emails'
      ? primaryOf(record[property])
      : text(record[property] ?? (record.custom_fields as Record<string, unknown> | undefined)?.[property]);

  /** Baton's values as Pipedrive takes them: standard fields as they are, a phone as the primary one, the rest custom. */
  const personBody = (values: Record<string, string>) => {
    const body: Record<string, unknown> = {};
    const custom: Record<string, string> = {};
    for (const [property, value] of Object.entries(values))
      if (property === 'phones') body.phones = [{ value, primary: true, label: 'work' }];
      else if (standardPersonFields.has(property)) body[property] = value;
      else custom[property] = value;
    return { body, custom };
  };

  const personOf = (record: PipedriveRecord): InPerson => {
    const fields: Record<string, string> = {};
    const wins: string[] = [];
    for (const m of mapping) {
      const rule = inRule(m);
      const value = rule && valueIn(record, m.property);
      if (!value) continue;
      fields[m.field] = value;
      if (rule === 'overwrite') wins.push(m.field);
    }
    return {
      remoteId: String(record.id),
      email: primaryOf(record.emails),
      fields,
      wins,
      written: writtenOf(record, stageCode),
    };
  };

  const fetchPeople = async (remoteIds: string[]): Promise<InPerson[]> => {
    const found: InPerson[] = [];
    for (const remote of remoteIds) {
      const record = await api.get('persons', remote);
      if (record) found.push(personOf(record));
    }
    return found;
  };

  const companyOf = (record: PipedriveRecord): InCompany => {
    const address = record.address as { country?: string } | null | undefined;
    return {
      remoteId: String(record.id),
      name: text(record.name),
      domain: text((record.custom_fields as Record<string, unknown> | undefined)?.website ?? record.website),
      industry: null,
      employees: null,
      country: text(address?.country),
      remoteOwner: idOf(record.owner_id),
    };
  };

  /** Pipedrive's stages as Baton's; a deal's won or lost is its status, whatever its stage. */
  let stages: { open: Map<string, string | null>; won: string | null; lost: string | null } | null = null;
  let remoteStages: { id: string; name: string; probability: number }[] = [];
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
    const byName = (label: string) => stageFor(label, local);
    const closed = (won: boolean) =>
      dealStageFor(
        { id: won ? 'won' : 'lost', label: won ? 'Won' : 'Lost', isClosed: true, probability: won ? 1 : 0 },
        local,
        byName,
      );
    remoteStages = await api.stages();
    stages = {
      open: new Map(
        remoteStages.map((s) => [
          s.id,
          dealStageFor(
            { id: s.id, label: s.name, isClosed: false, probability: s.probability },
            local,
            byName,
          ),
        ]),
      ),
      won: closed(true),
      lost: closed(false),
    };
    return stages;
  }

  const dealOf = (record: PipedriveRecord, known: Awaited<ReturnType<typeof stageMap>>): InDeal => {
    const status = typeof record.status === 'string' ? record.status : 'open';
    const createdAt = new Date(pipedriveTime(record.add_time) ?? clock.now().toISOString());
    const closedAt = pipedriveTime(
      status === 'won' ? record.won_time : status === 'lost' ? record.lost_time : null,
    );
    const remoteStage = idOf(record.stage_id) ?? '(none)';
    return {
      remoteId: String(record.id),
      name: text(record.title) ?? '',
      stage:
        status === 'won' ? known.won : status === 'lost' ? known.lost : (known.open.get(remoteStage) ?? null),
      remoteStage: status === 'open' ? remoteStage : status,
      amountMinor: amountMinorOf(
        typeof record.value === 'number' || typeof record.value === 'string' ? String(record.value) : null,
      ),
      currency: (text(record.currency) ?? 'EUR').toUpperCase().slice(0, 3),
      expectedCloseOn: text(record.expected_close_date)?.slice(0, 10) ?? null,
      closedOn: closedAt?.slice(0, 10) ?? null,
      createdAt,
      stageChangedAt: new Date(
        closedAt ??
          pipedriveTime(record.stage_change_time) ??
          pipedriveTime(record.update_time) ??
          createdAt.toISOString(),
      ),
      remoteOwner: idOf(record.owner_id),
      remoteContacts: idOf(record.person_id) ? [idOf(record.person_id)!] : [],
      remoteCompanies: idOf(record.org_id) ? [idOf(record.org_id)!] : [],
    };
  };

  const activityOf = (record: PipedriveRecord, now: Date): InActivity => {
    const participants = Array.isArray(record.participants)
      ? (record.participants as { person_id?: number }[])
          .map((p) => idOf(p.person_id))
          .filter((p): p is string => p !== null)
      : [];
    const person = idOf(record.person_id);
    return {
      remoteId: String(record.id),
      kind: 'activities',
      event: pipedriveActivityEventOf(record, now),
      remoteOwner: idOf(record.owner_id),
      remoteContacts: [...new Set([...(person ? [person] : []), ...participants])],
    };
  };

  const readers: { type: PipedriveType; handle: (records: PipedriveRecord[]) => Promise<unknown> }[] = [
    { type: 'organizations', handle: (records) => inbound.companies(records.map(companyOf)) },
    {
      type: 'persons',
      handle: async (records) => {
        if (pushesStage) await stageField();
        await inbound.people(records.map(personOf), 'persons');
      },
    },
    {
      type: 'deals',
      handle: async (records) => {
        const known = await stageMap();
        await inbound.deals(
          records.map((r) => dealOf(r, known)),
          fetchPeople,
          'deals',
        );
      },
    },
    {
      type: 'activities',
      handle: async (records) => {
        const now = clock.now();
        await inbound.activities(
          records.map((r) => activityOf(r, now)),
          fetchPeople,
        );
      },
    },
  ];

  /** Reads a type from its cursor: the backfill first (id order), then by update time. */
  async function pullType(reader: (typeof readers)[number]) {
    const saved = await findCursor(db, id, reader.type);
    if (saved === null) {
      const backfillKey = `backfill:${reader.type}`;
      const savedState = await findCursor(db, id, backfillKey);
      const state = savedState
        ? (JSON.parse(savedState) as { cursor: string | null; startedAt: string })
        : null;
      const startedAt = state?.startedAt ?? clock.now().toISOString();
      let cursor = state?.cursor ?? null;
      for (;;) {
        const page = await api.list(reader.type, {
          cursor,
          limit: pageSize,
          sortBy: 'id',
          updatedSince: null,
        });
        if (page.items.length > 0) await reader.handle(page.items);
        cursor = page.next;
        await saveCursor(db, id, backfillKey, JSON.stringify({ cursor, startedAt }), toDbTime(clock.now()));
        await deps.onPage?.(page.items.length, true);
        if (cursor === null) break;
      }
      const since = new Date(new Date(startedAt).getTime() - backfillOverlapMs).toISOString();
      await saveCursor(db, id, reader.type, since, toDbTime(clock.now()));
      return;
    }
    let cursor: string | null = null;
    for (;;) {
      const page = await api.list(reader.type, {
        cursor,
        limit: pageSize,
        sortBy: 'update_time',
        updatedSince: saved.replace(/\.\d{3}Z$/, 'Z'),
      });
      if (page.items.length > 0) await reader.handle(page.items);
      const last = pipedriveTime(page.items.at(-1)?.update_time);
      if (last) await saveCursor(db, id, reader.type, new Date(last).toISOString(), toDbTime(clock.now()));
      await deps.onPage?.(page.items.length, false);
      cursor = page.next;
      if (cursor === null) break;
    }
  }

  /** Baton's decisions into Pipedrive: each changed lead's owner and stage, on its person. */
  async function pushLeads(only?: readonly string[]) {
    const { byLocal } = await loadOwners();
    const code = pushesStage ? await stageField() : null;
    const bodyOf = (lead: OutLead, owner: string | null, creating = false) => {
      const stageText = code ? pipedriveStageOf(lead.stage) : null;
      const { body, custom } = personBody(personValuesOut(mapping, lead, creating));
      const customFields = { ...custom, ...(code && stageText && { [code]: stageText }) };
      return {
        ...body,
        ...(owner !== null && { owner_id: Number(owner) }),
        ...(Object.keys(customFields).length > 0 && { custom_fields: customFields }),
      };
    };
    await pushChangedLeads(
      deps,
      connection,
      inbound,
      byLocal,
      'Pipedrive',
      {
        cursor: 'out:persons',
        replayType: 'persons',
        pushesOwner,
        written: (lead, owner) => {
          const values = personValuesOut(mapping, lead, false);
          return {
            ...Object.fromEntries(alwaysOut.map((p) => [p, values[p] ?? null])),
            ...(pushesOwner && { owner_id: owner }),
            ...(code && { [code]: pipedriveStageOf(lead.stage) }),
          };
        },
        create: (lead, owner) =>
          api.addPerson({
            name: [lead.first_name, lead.last_name].filter(Boolean).join(' ') || lead.email!,
            emails: [{ value: lead.email!, primary: true, label: 'work' }],
            ...bodyOf(lead, owner, true),
          }),
        update: (remote, lead, owner) => api.updatePerson(remote, bodyOf(lead, owner)),
      },
      only,
    );
  }

  return {
    counts,
    log,
    unknownOwners: inbound.unknownOwners,
    problems: inbound.problems,
    removeRecords: inbound.removeRecords,
    mergeRecords: inbound.mergeRecords,
    async run() {
      await loadOwners();
      for (const reader of readers) await pullType(reader);
      await pushLeads();
      await pushOpportunities(deps, connection, inbound, {
        create: async (person, deal) => {
          const known = await stageMap();
          const stage = remoteStages.find((r) => known.open.get(r.id) === deal.stage) ?? remoteStages[0];
          const owner = deal.ownerId ? (await loadOwners()).byLocal.get(deal.ownerId) : undefined;
          const id = await api.addDeal({
            title: deal.name,
            person_id: Number(person),
            currency: deal.currency,
            status: deal.outcome,
            ...(stage && { stage_id: Number(stage.id) }),
            ...(deal.amountMinor !== null && { value: deal.amountMinor / 100 }),
            ...(deal.closeOn && { expected_close_date: deal.closeOn }),
            ...(owner && { owner_id: Number(owner) }),
          });
          // What a read gives as the deal's stage: its stage while open, else its status.
          return { id, stage: deal.outcome === 'open' ? (stage?.id ?? null) : deal.outcome };
        },
        // Pipedrive's deals have no field of Baton's: the person's deal of that title is it.
        find: async (person, _marker, deal) => {
          const found = (await api.dealsOf(person)).find((d) => d.title === deal.name);
          if (!found) return null;
          const status = typeof found.status === 'string' ? found.status : 'open';
          return { id: String(found.id), stage: status === 'open' ? idOf(found.stage_id) : status };
        },
      });
      if (settings.breachTasks)
        await pushBreachTasks(deps, connection, inbound, {
          create: async (person, task) => {
            const owner = task.userId ? (await loadOwners()).byLocal.get(task.userId) : undefined;
            return api.addActivity({
              subject: task.subject,
              type: 'task',
              due_date: task.due.toISOString().slice(0, 10),
              person_id: Number(person),
              note: task.body,
              ...(owner && { owner_id: Number(owner) }),
            });
          },
          find: async (person, marker) =>
            (await api.activitiesOf(person))
              .find((a) => typeof a.note === 'string' && a.note.includes(marker))
              ?.id?.toString() ?? null,
        });
      await pushRejectionNotes(deps, connection, inbound, {
        create: (person, body) => api.addNote(person, body),
        find: async (person, marker) =>
          (await api.notesOf(person)).find((n) => n.content.includes(marker))?.id ?? null,
      });
    },
    /** Pipedrive gives no totals cheaply: the backfill's bar counts records read. */
    async totals() {
      return 0;
    },
    /** What a webhook named: the records read again. */
    async pullRecords(type: string, ids: readonly string[]) {
      const reader = readers.find((r) => r.type === type);
      if (!reader) return;
      const records: PipedriveRecord[] = [];
      for (const remote of ids) {
        const record = await api.get(reader.type, remote);
        if (record) records.push(record);
      }
      if (records.length > 0) await reader.handle(records);
    },
    pushLeads,
  };
}
