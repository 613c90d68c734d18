import { createHash } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { EventType } from '../../../domain/capture/event-types.ts';
import { normalizeCompanyName } from '../../../domain/capture/match-account.ts';
import { countryCode } from '../../../domain/people/normalize.ts';
import type { Db } from '../../db/database.ts';
import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { ConnectionLinksTable, ConnectionLogTable } from '../../db/tables.ts';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/ids.ts';
import { insertEvent } from '../shared/events.repository.ts';
import {
  addAccountDomain,
  findAccountById,
  findAccountIdByDomain,
  findAccountIdByNameKey,
  insertAccount,
  updateAccountRow,
} from '../accounts/accounts.repository.ts';
import type { CaptureService } from '../capture/capture.service.ts';
import { prepare, prepareContactRow } from '../capture/capture.usecases.ts';
import type { ExternalDeal, OpportunitiesService } from '../opportunities/opportunities.service.ts';
import type { ConnectionProblem } from '../../../domain/connectors/problems.ts';
import {
  findActiveUsersByEmail,
  findContactsForPush,
  findLinksByRemote,
  findOpportunitiesById,
  findPendingDeals,
  markLinksRemoved,
  overwriteContactFields,
  setOpportunityExternalId,
  hasLogEntry,
  upsertLinks,
} from './connectors.repository.ts';

/*
 * What comes in from a CRM, whichever CRM it is: people, companies, deals and activities, already
 * read and put in Baton's terms by the vendor's connector, applied to Baton here. Each is linked by
 * its id in the CRM, so reading a record again changes nothing; each problem is one entry in the
 * sync log, and the rest goes on.
 */

export interface InboundDeps {
  db: Db;
  clock: Clock;
  capture: CaptureService;
  opportunities: OpportunitiesService;
  /** Stops the lead's clocks an activity answered, before the sync (or webhook) answers. */
  settle: (contactId: string) => Promise<void>;
}

export interface SyncCounts {
  contactsIn: number;
  companiesIn: number;
  dealsIn: number;
  activitiesIn: number;
  contactsOut: number;
  echoes: number;
  errors: number;
}

/** A person as the CRM has them. */
export interface InPerson {
  remoteId: string;
  email: string | null;
  /** Baton's fields the mapping reads from the CRM (firstName, title, …), blank ones left out. */
  fields: Record<string, string>;
  /** Of them, those the CRM is the system of record of: their values overwrite Baton's. */
  wins: string[];
  /** What the CRM holds now in the properties Baton writes: Baton's own write, when it comes back. */
  written: Record<string, string | null>;
}

export interface InCompany {
  remoteId: string;
  name: string | null;
  domain: string | null;
  industry: string | null;
  employees: number | null;
  country: string | null;
  remoteOwner: string | null;
}

export interface InDeal {
  remoteId: string;
  name: string;
  /** Baton's stage for the CRM's, or null when none fits (logged). */
  stage: string | null;
  remoteStage: string;
  amountMinor: number | null;
  currency: string;
  expectedCloseOn: string | null;
  closedOn: string | null;
  createdAt: Date;
  stageChangedAt: Date;
  remoteOwner: string | null;
  remoteContacts: string[];
  remoteCompanies: string[];
}

export interface InActivity {
  remoteId: string;
  /** The CRM's kind of activity (calls, meetings, …), part of the event's id. */
  kind: string;
  /** The sales event it is, or null when it is none (a cancelled meeting). */
  event: { type: EventType; at: Date; subject: string | null } | null;
  remoteOwner: string | null;
  remoteContacts: string[];
}

export type LogEntry = Omit<Insertable<ConnectionLogTable>, 'id' | 'connection_id' | 'at' | 'replayed_at'>;

/** A connector's object types as the links' (activities are not linked: their events are named by id). */
const linkTypeOf: Record<string, 'contact' | 'company' | 'deal'> = {
  contacts: 'contact',
  persons: 'contact',
  companies: 'company',
  organizations: 'company',
  deals: 'deal',
};

/** Baton's person fields a CRM may overwrite, as contact columns. */
const columnOf: Record<string, 'first_name' | 'last_name' | 'title' | 'phone'> = {
  firstName: 'first_name',
  lastName: 'last_name',
  title: 'title',
  phone: 'phone',
};

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url');

/** The fingerprint of what Baton wrote (or would write) to a record's properties. */
export const writtenHash = (written: Record<string, string | null>) => hash(written);

export function createInbound(
  deps: InboundDeps,
  connection: { id: string; name: string; kind: string },
  owners: () => Promise<{ byRemote: Map<string, string>; emails: Map<string, string> }>,
) {
  const { db, clock, capture, opportunities, settle } = deps;
  const id = connection.id;
  const counts: SyncCounts = {
    contactsIn: 0,
    companiesIn: 0,
    dealsIn: 0,
    activitiesIn: 0,
    contactsOut: 0,
    echoes: 0,
    errors: 0,
  };
  const log: Insertable<ConnectionLogTable>[] = [];
  /** Owners found this sync who are nobody in Baton (by email where the CRM gives one). */
  const unknownOwners: string[] = [];
  /** Problems only an admin can fix, each told once by its key. */
  const problems: { problem: ConnectionProblem; key: string }[] = [];
  const origin = { actor: { kind: 'connector', id }, sourceKind: 'crm', defaultUserId: null };
  const vendor = connection.kind === 'hubspot' ? 'HubSpot' : 'Pipedrive';

  const note = (entry: LogEntry) => {
    if (entry.outcome === 'error') counts.errors += 1;
    log.push({ id: newId(), connection_id: id, at: toDbTime(clock.now()), replayed_at: null, ...entry });
  };

  /** A CRM owner named on a record who is nobody in Baton: logged once per owner, for an admin. */
  async function ownerOf(remoteOwner: string | null, what: string): Promise<string | null> {
    if (!remoteOwner) return null;
    const known = await owners();
    const userId = known.byRemote.get(remoteOwner);
    if (userId) return userId;
    const who = known.emails.get(remoteOwner) ?? remoteOwner;
    if (
      !log.some((e) => e.code === 'connectors.unknown_owner' && e.remote_id === remoteOwner) &&
      !(await hasLogEntry(db, id, 'connectors.unknown_owner', remoteOwner))
    ) {
      unknownOwners.push(who);
      note({
        direction: 'in',
        object_type: 'owner',
        remote_id: remoteOwner,
        local_id: null,
        outcome: 'error',
        code: 'connectors.unknown_owner',
        message: `${vendor} owner ${who} (on ${what}) is no active Baton user with the same email: invite them, or give the records another owner`,
        payload: null,
      });
    }
    return null;
  }

  const linksOf = async (type: string, remoteIds: readonly string[]) =>
    new Map((await findLinksByRemote(db, id, type, [...new Set(remoteIds)])).map((l) => [l.remote_id, l]));

  /** People from the CRM: created or completed in Baton, linked by id; Baton's own echo skipped. */
  async function people(records: readonly InPerson[], replay: string): Promise<Map<string, string>> {
    const linked = new Map<string, string>();
    const links = await linksOf(
      'contact',
      records.map((r) => r.remoteId),
    );
    const now = clock.now();
    const work: { record: InPerson; pulled: string; prepared: ReturnType<typeof prepareContactRow> }[] = [];
    for (const record of records) {
      const link = links.get(record.remoteId);
      const pulled = hash(record.fields);
      const pushed = writtenHash(record.written);
      // Nothing Baton reads changed, and what it wrote is what is there: Baton's own write came back.
      if (link && link.pulled_hash === pulled && (link.pushed_hash === null || link.pushed_hash === pushed)) {
        counts.echoes += 1;
        linked.set(record.remoteId, link.local_id);
        continue;
      }
      const email = record.email?.trim();
      const row = {
        ...(email ? { email } : { externalId: `${connection.kind}:${record.remoteId}` }),
        ...record.fields,
      };
      const prepared = prepareContactRow(row, work.length, now);
      if (!prepared.ok) {
        note({
          direction: 'in',
          object_type: 'contact',
          remote_id: record.remoteId,
          local_id: link?.local_id ?? null,
          outcome: 'error',
          code: 'connectors.invalid_record',
          message: prepared.errors.map((e) => `${e.field} ${e.reason}`).join('; '),
          payload: JSON.stringify({ type: replay, id: record.remoteId }),
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
    const rows: Insertable<ConnectionLinksTable>[] = [];
    for (const [i, result] of results.entries()) {
      const { record, pulled } = work[i]!;
      if (!result.contactId || result.status === 'rejected') {
        note({
          direction: 'in',
          object_type: 'contact',
          remote_id: record.remoteId,
          local_id: null,
          outcome: 'error',
          code: 'connectors.refused',
          message: result.errors?.map((e) => `${e.field} ${e.reason}`).join('; ') ?? 'refused',
          payload: JSON.stringify({ type: replay, id: record.remoteId }),
        });
        continue;
      }
      const link = links.get(record.remoteId);
      const same = link?.local_id === result.contactId;
      rows.push({
        connection_id: id,
        object_type: 'contact',
        remote_id: record.remoteId,
        local_id: result.contactId,
        pushed_hash: same ? link.pushed_hash : null,
        pushed_at: same && link.pushed_at ? toDbTime(fromDbTime(link.pushed_at)) : null,
        pulled_hash: pulled,
        pulled_at: at,
      });
      linked.set(record.remoteId, result.contactId);
      counts.contactsIn += 1;
    }
    await upsertLinks(db, rows);
    await overwrite(
      work.map((w) => w.record).filter((r) => r.wins.length > 0),
      linked,
    );
    return linked;
  }

  /**
   * The CRM's values of the fields it is the system of record of, over Baton's where they differ
   * (capture only fills blanks); each change in the event log, by the connection.
   */
  async function overwrite(records: readonly InPerson[], linked: ReadonlyMap<string, string>) {
    const current = new Map(
      (
        await findContactsForPush(
          db,
          records.flatMap((r) => linked.get(r.remoteId) ?? []),
        )
      ).map((c) => [c.id, c]),
    );
    for (const record of records) {
      const contact = current.get(linked.get(record.remoteId) ?? '');
      if (!contact) continue;
      const patch: Partial<Record<'first_name' | 'last_name' | 'title' | 'phone', string>> = {};
      for (const field of record.wins) {
        const column = columnOf[field];
        const value = record.fields[field];
        if (column && value !== undefined && contact[column] !== value) patch[column] = value;
      }
      if (Object.keys(patch).length === 0) continue;
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await overwriteContactFields(trx, contact.id, patch, toDbTime(now));
        await insertEvent(trx, {
          type: 'contact.updated',
          occurredAt: now,
          actor: { kind: 'connector', id },
          subject: { type: 'contact', id: contact.id },
          payload: { fields: Object.keys(patch), via: connection.kind },
        });
      });
    }
  }

  /**
   * Companies as accounts: the linked one, else the one with the company's domain or name, else a
   * new one. The CRM is the system of record of a company: its name and details are applied when
   * the company is first linked and whenever it changes there.
   */
  async function companies(records: readonly InCompany[]) {
    const links = await linksOf(
      'company',
      records.map((r) => r.remoteId),
    );
    const rows: Insertable<ConnectionLinksTable>[] = [];
    const at = toDbTime(clock.now());
    for (const record of records) {
      const name = record.name?.trim() || record.domain?.trim();
      if (!name) {
        note({
          direction: 'in',
          object_type: 'company',
          remote_id: record.remoteId,
          local_id: null,
          outcome: 'skipped',
          code: 'connectors.unnamed_company',
          message: 'A company with neither a name nor a domain is not an account',
          payload: null,
        });
        continue;
      }
      const link = links.get(record.remoteId);
      const pulled = hash(record);
      if (link?.pulled_hash === pulled) {
        counts.echoes += 1;
        continue;
      }
      const ownerId = await ownerOf(record.remoteOwner, `company ${record.remoteId}`);
      const domain =
        record.domain
          ?.trim()
          .toLowerCase()
          .replace(/^www\./, '') || null;
      const fields = {
        ...(record.industry && { industry: record.industry.slice(0, 200) }),
        ...(record.employees !== null && { employee_count: record.employees }),
        ...(record.country && countryCode(record.country) && { country: countryCode(record.country) }),
        ...(ownerId && { owner_id: ownerId }),
      };
      const localId = await db.transaction().execute(async (trx) => {
        const known =
          (link && (await findAccountById(trx, link.local_id)) ? link.local_id : null) ??
          (domain ? await findAccountIdByDomain(trx, domain) : null) ??
          (await findAccountIdByNameKey(trx, normalizeCompanyName(name)));
        if (known) {
          await updateAccountRow(trx, known, {
            name: name.slice(0, 200),
            name_key: normalizeCompanyName(name),
            ...fields,
            updated_at: at,
          });
        } else {
          const accountId = newId();
          await insertAccount(trx, {
            id: accountId,
            name: name.slice(0, 200),
            name_key: normalizeCompanyName(name),
            employee_count: null,
            industry: null,
            country: null,
            owner_id: null,
            ...fields,
            created_at: at,
            updated_at: at,
          });
          if (domain) await addAccountDomain(trx, accountId, domain);
          return accountId;
        }
        if (domain) await addAccountDomain(trx, known, domain);
        return known;
      });
      rows.push({
        connection_id: id,
        object_type: 'company',
        remote_id: record.remoteId,
        local_id: localId,
        pushed_hash: null,
        pushed_at: null,
        pulled_hash: pulled,
        pulled_at: at,
      });
      counts.companiesIn += 1;
    }
    await upsertLinks(db, rows);
  }

  /**
   * Deals as opportunities, by their id in the CRM (the CRM is a deal's system of record): on the
   * first linked person and company, with the owner matched by email. People they are with that
   * Baton has not read yet are fetched first.
   */
  async function deals(
    records: readonly InDeal[],
    fetchPeople: (remoteIds: string[]) => Promise<InPerson[]>,
    replay: string,
  ) {
    const people = await peopleFor(
      records.flatMap((r) => r.remoteContacts),
      fetchPeople,
    );
    const accounts = await linksOf(
      'company',
      records.flatMap((r) => r.remoteCompanies),
    );
    const links = await linksOf(
      'deal',
      records.map((r) => r.remoteId),
    );
    // A deal Baton made whose answer was lost (a crash): the opportunity it is, not a new one.
    const pendingDeals = await findPendingDeals(db, id);
    const rows: Insertable<ConnectionLinksTable>[] = [];
    for (const record of records) {
      const adopted = links.has(record.remoteId)
        ? undefined
        : pendingDeals.find(
            (p) =>
              p.name === record.name &&
              record.remoteContacts.some((c) => p.contact_id !== null && people.get(c) === p.contact_id),
          );
      if (adopted) {
        await setOpportunityExternalId(db, adopted.id, `${connection.kind}:${id}:${record.remoteId}`);
        await upsertLinks(db, [
          {
            connection_id: id,
            object_type: 'deal',
            remote_id: record.remoteId,
            local_id: adopted.id,
            // As Baton wrote it: the CRM's stage of it is Baton's until someone moves it there.
            pushed_hash: writtenHash({ stage: record.remoteStage }),
            pushed_at: toDbTime(clock.now()),
            pulled_hash: null,
            pulled_at: null,
          },
        ]);
      }
      const failed = (code: string, message: string) =>
        note({
          direction: 'in',
          object_type: 'deal',
          remote_id: record.remoteId,
          local_id: links.get(record.remoteId)?.local_id ?? null,
          outcome: 'error',
          code,
          message,
          payload: JSON.stringify({ type: replay, id: record.remoteId }),
        });
      if (!record.stage) {
        failed(
          'connectors.unknown_stage',
          `${vendor} deal stage ${record.remoteStage} matches no stage in Baton's pipeline: add one (Settings → Pipeline)`,
        );
        continue;
      }
      const pulled = hash(record);
      const link = links.get(record.remoteId);
      if (link?.pulled_hash === pulled) {
        counts.echoes += 1;
        continue;
      }
      const contactId = record.remoteContacts.map((c) => people.get(c)).find(Boolean) ?? null;
      const accountId = record.remoteCompanies.map((c) => accounts.get(c)?.local_id).find(Boolean) ?? null;
      const deal: ExternalDeal = {
        externalId: `${connection.kind}:${id}:${record.remoteId}`,
        name: record.name.slice(0, 200) || `${vendor} deal ${record.remoteId}`,
        stage: record.stage,
        ownerId: await ownerOf(record.remoteOwner, `deal ${record.remoteId}`),
        accountId,
        contactId,
        amountMinor: record.amountMinor,
        currency: record.currency,
        expectedCloseOn: record.expectedCloseOn,
        closedOn: record.closedOn,
        createdAt: record.createdAt,
        keepStage:
          adopted !== undefined ||
          (link?.pushed_hash != null && link.pushed_hash === writtenHash({ stage: record.remoteStage })),
        stageChangedAt: new Date(
          Math.min(
            Math.max(record.stageChangedAt.getTime(), record.createdAt.getTime()),
            clock.now().getTime(),
          ),
        ),
      };
      try {
        const { id: opportunity, outcome } = await opportunities.receiveExternal(
          { connectionId: id, name: vendor },
          deal,
        );
        rows.push({
          connection_id: id,
          object_type: 'deal',
          remote_id: record.remoteId,
          local_id: opportunity,
          pushed_hash: link?.pushed_hash ?? null,
          pushed_at: link?.pushed_at ? toDbTime(fromDbTime(link.pushed_at)) : null,
          pulled_hash: pulled,
          pulled_at: toDbTime(clock.now()),
        });
        if (outcome !== 'unchanged') counts.dealsIn += 1;
      } catch (error) {
        failed('connectors.refused', error instanceof Error ? error.message : String(error));
      }
    }
    await upsertLinks(db, rows);
  }

  /** The Baton people of these CRM people, those not read yet fetched and read first. */
  async function peopleFor(
    remoteIds: readonly string[],
    fetchPeople: (remoteIds: string[]) => Promise<InPerson[]>,
  ): Promise<Map<string, string>> {
    const wanted = [...new Set(remoteIds)];
    const local = new Map([...(await linksOf('contact', wanted))].map(([r, l]) => [r, l.local_id]));
    const missing = wanted.filter((c) => !local.has(c));
    if (missing.length > 0)
      for (const [remote, localId] of await people(await fetchPeople(missing), 'contacts'))
        local.set(remote, localId);
    return local;
  }

  /** Activities as sales events on the leads they are with (once however often read); clocks settled. */
  async function activities(
    records: readonly InActivity[],
    fetchPeople: (remoteIds: string[]) => Promise<InPerson[]>,
  ) {
    const local = await peopleFor(
      records.flatMap((r) => r.remoteContacts),
      fetchPeople,
    );
    const persons = new Map(
      (await findContactsForPush(db, [...new Set(local.values())])).map((c) => [c.id, c]),
    );
    const now = clock.now();
    const prepared: ReturnType<typeof prepare>[] = [];
    const about: string[] = [];
    for (const record of records) {
      if (!record.event) continue;
      const userId = await ownerOf(record.remoteOwner, `${record.kind} ${record.remoteId}`);
      for (const remoteContact of record.remoteContacts) {
        const contactId = local.get(remoteContact);
        const person = contactId ? persons.get(contactId) : undefined;
        if (!contactId || !person?.email) continue;
        prepared.push(
          prepare(
            {
              id: `${connection.kind}:${id}:${record.kind}:${record.remoteId}:${remoteContact}`,
              type: record.event.type,
              occurredAt: new Date(Math.min(record.event.at.getTime(), now.getTime())).toISOString(),
              email: person.email,
              ...(userId && { userId }),
              properties: {
                via: connection.kind,
                ...(record.event.subject && { subject: record.event.subject.slice(0, 300) }),
              },
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
          object_type: 'activity',
          remote_id: null,
          local_id: about[i] ?? null,
          outcome: 'error',
          code: 'connectors.refused',
          message: result.errors?.map((e) => `${e.field} ${e.reason}`).join('; ') ?? 'refused',
          payload: null,
        });
        continue;
      }
      if (result.status === 'accepted') {
        counts.activitiesIn += 1;
        settled.add(about[i]!);
      }
    }
    for (const contactId of settled) await settle(contactId);
  }

  const what = { contact: 'person', company: 'account', deal: 'opportunity' } as const;

  /**
   * Records deleted in the CRM: their links are kept, marked removed, so Baton writes to them no
   * more and does not make them anew; Baton's own records stay, with their history. A deal deleted
   * while its opportunity is open in Baton needs an admin (it still counts in the pipeline).
   */
  async function removed(type: 'contact' | 'company' | 'deal', remoteIds: readonly string[]) {
    const gone = await markLinksRemoved(db, id, type, remoteIds, toDbTime(clock.now()));
    const open = new Map(
      (type === 'deal'
        ? await findOpportunitiesById(
            db,
            gone.map((l) => l.local_id),
          )
        : []
      )
        .filter((o) => o.status === 'open')
        .map((o) => [o.id, o.name]),
    );
    for (const link of gone) {
      const name = open.get(link.local_id);
      note({
        direction: 'in',
        object_type: type,
        remote_id: link.remote_id,
        local_id: link.local_id,
        outcome: name === undefined ? 'skipped' : 'error',
        code: 'connectors.deleted_in_crm',
        message:
          name === undefined
            ? `Deleted in ${vendor}: the ${what[type]} stays in Baton, and Baton no longer writes to the record there`
            : `Deleted in ${vendor} while its opportunity “${name}” is open in Baton: close it in Baton as won or lost, or restore the deal in ${vendor}`,
        payload: null,
      });
    }
    if (open.size > 0)
      problems.push({
        problem: { kind: 'deleted_deals', deals: [...open.values()] },
        key: `deleted_deals:${hash([...open.keys()].sort()).slice(0, 16)}`,
      });
  }

  /**
   * Records merged into another in the CRM (read after the one they became): the merged ones are
   * gone there, so their links are marked removed. Two people in Baton who are one in the CRM need
   * an admin, who merges them in Baton too.
   */
  async function merged(
    type: 'contact' | 'company' | 'deal',
    survivor: string,
    mergedIds: readonly string[],
  ) {
    const others = mergedIds.filter((m) => m !== survivor);
    const kept = (await linksOf(type, [survivor])).get(survivor);
    const gone = await markLinksRemoved(db, id, type, others, toDbTime(clock.now()));
    const two = gone.filter((l) => kept !== undefined && l.local_id !== kept.local_id);
    const emails = new Map(
      type === 'contact' && kept
        ? (await findContactsForPush(db, [kept.local_id, ...two.map((l) => l.local_id)])).map((c) => [
            c.id,
            c.email ?? c.id,
          ])
        : [],
    );
    for (const link of gone) {
      const apart = two.includes(link);
      note({
        direction: 'in',
        object_type: type,
        remote_id: link.remote_id,
        local_id: link.local_id,
        outcome: apart ? 'error' : 'skipped',
        code: 'connectors.merged_in_crm',
        message: apart
          ? `Merged into ${vendor} record ${survivor}, which is another ${what[type]} in Baton (${emails.get(kept!.local_id) ?? kept!.local_id}): merge the two in Baton too`
          : `Merged into ${vendor} record ${survivor}: Baton writes to that one from now on`,
        payload: null,
      });
    }
    if (type === 'contact' && two.length > 0)
      problems.push({
        problem: {
          kind: 'merged_people',
          people: two.map((l) => `${emails.get(l.local_id) ?? l.local_id} + ${emails.get(kept!.local_id)}`),
        },
        key: `merged:${hash(two.map((l) => l.remote_id).sort()).slice(0, 16)}`,
      });
  }

  /**
   * A write the CRM refused for a property whose type or options changed there: one entry per
   * property, and the admins told once; the other records go on.
   */
  function refusedProperties(properties: readonly string[], reason: string) {
    for (const property of properties)
      problems.push({
        problem: { kind: 'property_refused', property, reason: reason.slice(0, 300) },
        key: `property:${property}:${hash(reason).slice(0, 12)}`,
      });
  }

  return {
    counts,
    log,
    unknownOwners,
    problems,
    note,
    people,
    companies,
    deals,
    activities,
    ownerOf,
    removed,
    merged,
    refusedProperties,
    /** Records of a connector's object type deleted in the CRM. */
    removeRecords: async (type: string, ids: readonly string[]) => {
      const linked = linkTypeOf[type];
      if (linked) await removed(linked, ids);
    },
    /** Records of a connector's object type merged into `survivor` in the CRM. */
    mergeRecords: async (type: string, survivor: string, mergedIds: readonly string[]) => {
      const linked = linkTypeOf[type];
      if (linked) await merged(linked, survivor, mergedIds);
    },
  };
}

export type Inbound = ReturnType<typeof createInbound>;

/** The CRM's owners as Baton's users, matched by email (case aside). */
export async function matchOwners(
  db: Db,
  remote: readonly { id: string; email: string }[],
): Promise<{ byRemote: Map<string, string>; byLocal: Map<string, string>; emails: Map<string, string> }> {
  const users = await findActiveUsersByEmail(db);
  const byRemote = new Map<string, string>();
  const byLocal = new Map<string, string>();
  const emails = new Map(remote.map((o) => [o.id, o.email]));
  for (const owner of remote) {
    const userId = users.get(owner.email.toLowerCase());
    if (userId) {
      byRemote.set(owner.id, userId);
      byLocal.set(userId, owner.id);
    }
  }
  return { byRemote, byLocal, emails };
}
