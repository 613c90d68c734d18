import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import { CrmError } from '../../platform/hubspot.ts';
import {
  findBatonOpportunities,
  findChangedLeads,
  findContactsForPush,
  findCursor,
  hasLogEntry,
  findLinksByLocal,
  findBreaches,
  findRejections,
  setOpportunityExternalId,
  saveCursor,
  upsertLink,
  type ConnectionRow,
} from './connectors.repository.ts';
import { writtenHash, type Inbound, type InboundDeps } from './inbound.ts';
import type { FieldMapping } from '../../../domain/connectors/hubspot.ts';
import { outRule } from '../../../domain/connectors/mapping.ts';
import { breachTaskText } from '../../../domain/connectors/problems.ts';

/*
 * Baton's decisions that become records in the CRM, whichever CRM it is: a lead sent back to
 * Marketing becomes a note on the person with the reason, and an opportunity made in Baton a deal
 * (which the CRM is the system of record of from then on: Baton reads it back as any other deal). A retry after a crash never makes a second
 * note: the note is marked as being written (a link to `pending`) before it is made, carries Baton's
 * marker, and a marked note found on the person is taken instead of writing another.
 */

/** A lead as it goes out: who they are, their owner and their stage. */
export type OutLead = Awaited<ReturnType<typeof findContactsForPush>>[number];

/** A lead's value of a Baton person field. */
const valueOf = (lead: OutLead, field: string): string | null =>
  ({
    firstName: lead.first_name,
    lastName: lead.last_name,
    title: lead.title,
    phone: lead.phone,
    company: lead.company,
  })[field] ?? null;

/**
 * Baton's values of the person fields the mapping sends, by the CRM's property: those Baton wins
 * (on every write), and when `creating`, those it only gives a person it makes there. A blank in
 * Baton is left out: it never clears the CRM's value.
 */
export function personValuesOut(
  mapping: readonly FieldMapping[],
  lead: OutLead,
  creating: boolean,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const m of mapping) {
    const rule = outRule(m);
    const value = valueOf(lead, m.field)?.trim();
    if (value && (rule === 'always' || (rule === 'create' && creating))) values[m.property] = value;
  }
  return values;
}

/** The CRM properties Baton writes on every change of a lead (its fingerprint is taken of them). */
export function propertiesWritten(mapping: readonly FieldMapping[]): string[] {
  return mapping
    .filter((m) =>
      m.field === 'owner' || m.field === 'stage' ? m.direction !== 'in' : outRule(m) === 'always',
    )
    .map((m) => m.property);
}

/** What a CRM does with a lead's owner and stage. */
export interface LeadWriter {
  /** The cursor of what went out ('out:contacts'). */
  cursor: string;
  /** The object type a replay of a failed lead reads. */
  replayType: string;
  /** Whether the mapping sends the owner (else the CRM keeps its own). */
  pushesOwner: boolean;
  /** What Baton writes to the person (its fingerprint tells Baton's own change when it comes back). */
  written(lead: OutLead, owner: string | null): Record<string, string | null>;
  /** Makes the person in the CRM; their id there. */
  create(lead: OutLead, owner: string | null): Promise<string>;
  /** Writes the owner and stage to a person the CRM has. */
  update(remoteId: string, lead: OutLead, owner: string | null): Promise<void>;
}

/** A change committed late in Baton (a long transaction) is still seen when the out cursor lags this much. */
const pushLagMs = 60_000;

/**
 * Baton's decisions into the CRM: each lead changed since the cursor (or `only` these, a replay)
 * whose owner or stage the CRM does not have yet. A write that would change nothing is not sent;
 * a person deleted or merged away in the CRM is written no more; a refusal is one entry in the
 * sync log (a property the CRM refuses, as its type changed there, also tells the admins once)
 * and the others go on. A refused token, a rate limit or an unreachable CRM ends the turn.
 */
export async function pushChangedLeads(
  deps: Pick<InboundDeps, 'db' | 'clock'>,
  connection: Pick<ConnectionRow, 'id'>,
  inbound: Pick<Inbound, 'note' | 'counts' | 'removed' | 'refusedProperties'>,
  byLocal: ReadonlyMap<string, string>,
  vendor: string,
  writer: LeadWriter,
  only?: readonly string[],
): Promise<void> {
  const { db, clock } = deps;
  const { id } = connection;
  const { note, counts } = inbound;
  const cursor = only ? null : await findCursor(db, id, writer.cursor);
  const start = '00000000-0000-0000-0000-000000000000';
  const [since, afterId] = cursor
    ? (JSON.parse(cursor) as [string, string])
    : ['1970-01-01T00:00:00.000Z', start];
  let position: [string, string] = [
    toDbTime(new Date(Math.max(0, new Date(since).getTime() - pushLagMs))),
    start,
  ];
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
      const link = links.get(lead.id);
      if (!lead.email || link?.removed_at) continue;
      const owner = writer.pushesOwner && lead.owner_id ? (byLocal.get(lead.owner_id) ?? null) : null;
      // The log's remote_id holds the Baton user here, so the entry is made once per person.
      if (
        writer.pushesOwner &&
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
          message: `The lead's owner is no ${vendor} user with the same email: their leads go out without an owner`,
          payload: null,
        });
      const fingerprint = writtenHash(writer.written(lead, owner));
      if (link?.pushed_hash === fingerprint) continue;
      try {
        let remote = link?.remote_id ?? null;
        if (remote === null) remote = await writer.create(lead, owner);
        else await writer.update(remote, lead, owner);
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
        if (error instanceof CrmError && error.failure === 'not_found' && link) {
          // Deleted (or merged away) in the CRM since Baton last read it.
          await inbound.removed('contact', [link.remote_id]);
          continue;
        }
        const refused = error instanceof CrmError ? error.properties : [];
        note({
          direction: 'out',
          object_type: 'contact',
          remote_id: link?.remote_id ?? null,
          local_id: lead.id,
          outcome: 'error',
          code: refused.length > 0 ? 'connectors.property_refused' : 'connectors.write_refused',
          message: error instanceof Error ? error.message : String(error),
          payload: JSON.stringify({ type: writer.replayType, localId: lead.id }),
        });
        if (refused.length > 0)
          inbound.refusedProperties(refused, error instanceof Error ? error.message : '');
      }
    }
    if (only) break;
    const last = leads.at(-1)!;
    position = [toDbTime(new Date(last.updated_at)), last.id];
    if (position[0] > newest[0] || (position[0] === newest[0] && position[1] > newest[1])) newest = position;
    await saveCursor(db, id, writer.cursor, JSON.stringify(newest), toDbTime(clock.now()));
    if (leads.length < 200) break;
  }
}

/** What a CRM does with a note on a person. */
export interface NoteWriter {
  /** Writes a note on the person; its id in the CRM. */
  create(personRemoteId: string, body: string, at: Date): Promise<string>;
  /** The note on the person that carries `marker`, if one was written before. */
  find(personRemoteId: string, marker: string): Promise<string | null>;
}

const pending = 'pending';
/** A rejection committed late (a long transaction) is still seen when the cursor lags this much. */
const lagMs = 60_000;

/** The marker a note carries: the stage change it tells of. */
export const noteMarker = (stageChangeId: string) => `[baton:${stageChangeId}]`;

/** What becomes a record on a person in the CRM (a note, a task), read from a cursor. */
interface MarkedSource<Row> {
  /** The cursor's name ('out:notes'). */
  cursor: string;
  /** The links' object type of what is written ('note', 'task'). */
  objectType: string;
  read: (since: string, afterId: string, limit: number) => Promise<Row[]>;
  idOf: (row: Row) => string;
  contactOf: (row: Row) => string;
  /** The row's place on the cursor (a stored time). */
  positionOf: (row: Row) => string;
}

/**
 * Writes each row from the cursor on as one record on its person in the CRM, once: linked to
 * `pending` before it is made, carrying Baton's marker, and a marked record found on the person
 * taken instead of writing another. A new connection starts from now, not from the years before.
 */
async function pushMarked<Row>(
  deps: Pick<InboundDeps, 'db' | 'clock'>,
  connection: Pick<ConnectionRow, 'id'>,
  inbound: Pick<Inbound, 'note'>,
  source: MarkedSource<Row>,
  write: {
    create(personRemoteId: string, row: Row, marker: string): Promise<string>;
    find(personRemoteId: string, marker: string): Promise<string | null>;
  },
): Promise<number> {
  const { db, clock } = deps;
  const id = connection.id;
  const saved = await findCursor(db, id, source.cursor);
  const start = '00000000-0000-0000-0000-000000000000';
  if (!saved) {
    await saveCursor(
      db,
      id,
      source.cursor,
      JSON.stringify([toDbTime(clock.now()), start]),
      toDbTime(clock.now()),
    );
    return 0;
  }
  const [since, afterId] = JSON.parse(saved) as [string, string];
  let position: [string, string] = [
    toDbTime(new Date(Math.max(0, new Date(since).getTime() - lagMs))),
    start,
  ];
  let newest: [string, string] = [since, afterId];
  let written = 0;
  for (;;) {
    const rows = await source.read(position[0], position[1], 200);
    if (rows.length === 0) break;
    const people = new Map(
      (await findLinksByLocal(db, id, 'contact', rows.map(source.contactOf)))
        .filter((l) => l.removed_at === null)
        .map((l) => [l.local_id, l.remote_id]),
    );
    const done = new Map(
      (await findLinksByLocal(db, id, source.objectType, rows.map(source.idOf))).map((l) => [
        l.local_id,
        l.remote_id,
      ]),
    );
    for (const row of rows) {
      const rowId = source.idOf(row);
      const person = people.get(source.contactOf(row));
      const known = done.get(rowId);
      if (!person || (known && !known.startsWith(`${pending}:`))) continue;
      const marker = noteMarker(rowId);
      const link = (remote: string) =>
        upsertLink(db, {
          connection_id: id,
          object_type: source.objectType,
          remote_id: remote,
          local_id: rowId,
          pushed_hash: null,
          pushed_at: toDbTime(clock.now()),
          pulled_hash: null,
          pulled_at: null,
        });
      try {
        // Written before: a crash came between writing it and linking it.
        const found = known ? await write.find(person, marker) : null;
        if (!found) await link(`${pending}:${rowId}`);
        await link(found ?? (await write.create(person, row, marker)));
        written += 1;
      } catch (error) {
        if (
          error instanceof CrmError &&
          (error.failure === 'auth' || error.failure === 'rate_limited' || error.failure === 'unavailable')
        )
          throw error;
        inbound.note({
          direction: 'out',
          object_type: source.objectType,
          remote_id: person,
          local_id: source.contactOf(row),
          outcome: 'error',
          code: 'connectors.write_refused',
          message: error instanceof Error ? error.message : String(error),
          payload: null,
        });
      }
    }
    const last = rows.at(-1)!;
    position = [source.positionOf(last), source.idOf(last)];
    if (position[0] > newest[0] || (position[0] === newest[0] && position[1] > newest[1])) newest = position;
    await saveCursor(db, id, source.cursor, JSON.stringify(newest), toDbTime(clock.now()));
    if (rows.length < 200) break;
  }
  return written;
}

/** A lead sent back to Marketing (recycled or disqualified) as a note on the person: who, the reason, its note. */
export function pushRejectionNotes(
  deps: Pick<InboundDeps, 'db' | 'clock'>,
  connection: Pick<ConnectionRow, 'id'>,
  inbound: Pick<Inbound, 'note'>,
  writer: NoteWriter,
): Promise<number> {
  type Rejection = Awaited<ReturnType<typeof findRejections>>[number];
  return pushMarked<Rejection>(
    deps,
    connection,
    inbound,
    {
      cursor: 'out:notes',
      objectType: 'note',
      read: (since, afterId, limit) => findRejections(deps.db, since, afterId, limit),
      idOf: (r) => r.id,
      contactOf: (r) => r.contact_id,
      positionOf: (r) => toDbTime(fromDbTime(r.recorded_at)),
    },
    {
      create: (person, rejection, marker) =>
        writer.create(
          person,
          [
            `${rejection.to_stage === 'recycled' ? 'Sent back to Marketing' : 'Disqualified'} in Baton${
              (rejection.actor_name ?? rejection.actor_label)
                ? ` by ${rejection.actor_name ?? rejection.actor_label}`
                : ''
            }: ${rejection.label_en ?? rejection.reason_code ?? 'no reason given'}.`,
            ...(rejection.note ? [rejection.note] : []),
            marker,
          ].join('\n'),
          fromDbTime(rejection.occurred_at),
        ),
      find: (person, marker) => writer.find(person, marker),
    },
  );
}

/** A task for a person in the CRM, in Baton's terms; the CRM's writer maps the owner. */
export interface OutTask {
  subject: string;
  body: string;
  due: Date;
  /** The Baton user it is for. */
  userId: string | null;
}

/** What a CRM does with a task on a person. */
export interface TaskWriter {
  create(personRemoteId: string, task: OutTask): Promise<string>;
  find(personRemoteId: string, marker: string): Promise<string | null>;
}

/**
 * A missed follow-up (a clock breached) as a task for the rep's manager on the person, in the
 * manager's language, due at once; only when the connection asks for it (`breachTasks`).
 */
export function pushBreachTasks(
  deps: Pick<InboundDeps, 'db' | 'clock'>,
  connection: Pick<ConnectionRow, 'id'>,
  inbound: Pick<Inbound, 'note'>,
  writer: TaskWriter,
): Promise<number> {
  type Breach = Awaited<ReturnType<typeof findBreaches>>[number];
  return pushMarked<Breach>(
    deps,
    connection,
    inbound,
    {
      cursor: 'out:tasks',
      objectType: 'task',
      read: (since, afterId, limit) => findBreaches(deps.db, since, afterId, limit),
      idOf: (b) => b.id,
      contactOf: (b) => b.contact_id,
      positionOf: (b) => toDbTime(fromDbTime(b.breached_at)),
    },
    {
      create: (person, breach, marker) => {
        const text = breachTaskText(breach.manager_language === 'nl' ? 'nl' : 'en', {
          lead: [breach.first_name, breach.last_name].filter(Boolean).join(' ') || breach.email || 'a lead',
          rep: breach.rep_name ?? '—',
          target: breach.target,
          deadline: fromDbTime(breach.deadline_at),
        });
        return writer.create(person, {
          subject: text.subject,
          body: `${text.body}\n${marker}`,
          due: deps.clock.now(),
          userId: breach.manager_id,
        });
      },
      find: (person, marker) => writer.find(person, marker),
    },
  );
}

/** A deal Baton writes, in Baton's terms; the CRM's writer maps the stage and the owner. */
export interface OutDeal {
  name: string;
  stage: string;
  outcome: 'open' | 'won' | 'lost';
  ownerId: string | null;
  amountMinor: number | null;
  currency: string;
  closeOn: string | null;
  marker: string;
}

/** What a CRM does with a deal on a person. */
export interface DealWriter {
  /** Makes the deal; its id, and the CRM's stage it was put in. */
  create(personRemoteId: string, deal: OutDeal): Promise<{ id: string; stage: string | null }>;
  /** The deal on the person that carries `marker` (or is this deal), if one was made before. */
  find(
    personRemoteId: string,
    marker: string,
    deal: OutDeal,
  ): Promise<{ id: string; stage: string | null } | null>;
}

/**
 * Opportunities made in Baton, on a person the CRM knows, become deals there, once: marked as being
 * written before the deal is made, found by their marker after a crash, and then handed over (their
 * id in the CRM kept), so the CRM's changes come back as to any deal of its own.
 */
export async function pushOpportunities(
  deps: Pick<InboundDeps, 'db' | 'clock'>,
  connection: Pick<ConnectionRow, 'id' | 'kind'>,
  inbound: Pick<Inbound, 'note'>,
  writer: DealWriter,
): Promise<number> {
  const { db, clock } = deps;
  const id = connection.id;
  const start = '00000000-0000-0000-0000-000000000000';
  const saved = await findCursor(db, id, 'out:deals');
  // A new connection hands over what is made from now on, not the deals of the years before it.
  if (!saved) {
    await saveCursor(
      db,
      id,
      'out:deals',
      JSON.stringify([toDbTime(clock.now()), start]),
      toDbTime(clock.now()),
    );
    return 0;
  }
  const [since, afterId] = JSON.parse(saved) as [string, string];
  let position: [string, string] = [
    toDbTime(new Date(Math.max(0, new Date(since).getTime() - lagMs))),
    start,
  ];
  let newest: [string, string] = [since, afterId];
  let written = 0;
  for (;;) {
    const opportunities = await findBatonOpportunities(db, position[0], position[1], 200);
    if (opportunities.length === 0) break;
    const people = new Map(
      (
        await findLinksByLocal(
          db,
          id,
          'contact',
          opportunities.flatMap((o) => (o.contact_id ? [o.contact_id] : [])),
        )
      )
        .filter((l) => l.removed_at === null)
        .map((l) => [l.local_id, l.remote_id]),
    );
    const done = new Map(
      (
        await findLinksByLocal(
          db,
          id,
          'deal',
          opportunities.map((o) => o.id),
        )
      ).map((l) => [l.local_id, l.remote_id]),
    );
    for (const opportunity of opportunities) {
      const person = opportunity.contact_id ? people.get(opportunity.contact_id) : undefined;
      const known = done.get(opportunity.id);
      if (!person || (known && !known.startsWith(`${pending}:`))) continue;
      const marker = `[baton:${opportunity.id}]`;
      const link = (remote: string, stage: string | null = null) =>
        upsertLink(db, {
          connection_id: id,
          object_type: 'deal',
          remote_id: remote,
          local_id: opportunity.id,
          pushed_hash: stage === null ? null : writtenHash({ stage }),
          pushed_at: toDbTime(clock.now()),
          pulled_hash: null,
          pulled_at: null,
        });
      try {
        const deal: OutDeal = {
          name: opportunity.name,
          stage: opportunity.stage,
          outcome: opportunity.outcome,
          ownerId: opportunity.owner_id,
          amountMinor: opportunity.amount_minor === null ? null : Number(opportunity.amount_minor),
          currency: opportunity.currency,
          closeOn: opportunity.closed_on ?? opportunity.expected_close_on,
          marker,
        };
        const found = known ? await writer.find(person, marker, deal) : null;
        if (!found) await link(`${pending}:${opportunity.id}`);
        const made = found ?? (await writer.create(person, deal));
        const remote = made.id;
        await link(remote, made.stage);
        await setOpportunityExternalId(db, opportunity.id, `${connection.kind}:${id}:${remote}`);
        written += 1;
      } catch (error) {
        if (
          error instanceof CrmError &&
          (error.failure === 'auth' || error.failure === 'rate_limited' || error.failure === 'unavailable')
        )
          throw error;
        inbound.note({
          direction: 'out',
          object_type: 'deal',
          remote_id: person,
          local_id: opportunity.id,
          outcome: 'error',
          code: 'connectors.write_refused',
          message: error instanceof Error ? error.message : String(error),
          payload: null,
        });
      }
    }
    const last = opportunities.at(-1)!;
    position = [toDbTime(fromDbTime(last.updated_at)), last.id];
    if (position[0] > newest[0] || (position[0] === newest[0] && position[1] > newest[1])) newest = position;
    await saveCursor(db, id, 'out:deals', JSON.stringify(newest), toDbTime(clock.now()));
    if (opportunities.length < 200) break;
  }
  return written;
}
