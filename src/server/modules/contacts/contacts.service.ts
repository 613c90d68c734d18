import type { Message } from '../../../contract/common.ts';
import { createHash } from 'node:crypto';
import { currentConsents } from '../../../domain/capture/consent.ts';
import type {
  Consents,
  RecordConsentBody,
  Contact,
  ContactDuplicate,
  ContactExport,
  CreateContactBody,
  ListContactsQuery,
  MergeContactBody,
  Touchpoint,
  UpdateContactBody,
} from '../../../contract/contacts.ts';
import type { ChangeStageBody, Lifecycle, StageChange } from '../../../contract/stages.ts';
import { canSee, type Actor, type Visibility } from '../../../domain/access/roles.ts';
import { decideSourceUpdate } from '../../../domain/capture/decide-sources.ts';
import { decideStageChange, stageEntryTimes } from '../../../domain/lifecycle/decide-stage-change.ts';
import { contactLikeness } from '../../../domain/people/duplicates.ts';
import { normalizeEmail } from '../../../domain/people/normalize.ts';
import { similarMatch } from '../../../domain/search/similarity.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, fromDbTimeOrNull, toDbTime } from '../../db/dialect.ts';
import type { ContactRow, ContactUpdate, NewStageChangeRow, StageChangeRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { fieldError } from '../shared/errors.ts';
import { findEventsBySubject, insertEvent, scrubLogsAbout } from '../shared/events.repository.ts';
import { decodeCursor, toPage } from '../shared/pagination.ts';
import { loadVisibility } from '../shared/visibility.ts';
import { findStages } from '../stages/stages.repository.ts';
import { toStageRule } from '../stages/stages.service.ts';
import { checkOwner, resolveNewOwner } from '../shared/ownership.ts';
import { inTransaction } from '../shared/transaction.ts';
import { findAccountById, findDomainsByAccounts } from '../accounts/accounts.repository.ts';
import {
  concurrentStageChange,
  contactEmailTaken,
  contactNotFound,
  invalidAccount,
  invalidOccurredAt,
  invalidOwner,
  stageChangeRefused,
} from './contacts.errors.ts';
import {
  presentConsents,
  toConsentRecord,
  toContact,
  toStageChange,
  toTouchpoint,
} from './contacts.presenter.ts';
import { findTouchpointsOfContact } from '../capture/capture.repository.ts';
import {
  findContactById,
  findContacts,
  findSimilarContacts,
  indexPendingSearch,
  findStageChanges,
  insertContact,
  insertStageChange,
  updateContactRow,
  updateContactStage,
  deleteContact,
  findAliasEmails,
  findConsentRecords,
  insertConsent,
  findContactIdByAlias,
  insertContactAlias,
  moveContactDependants,
  insertCampaignMember,
} from './contacts.repository.ts';
import { emailHash, externalIdHash, insertSuppression } from '../capture/capture.repository.ts';
import { readJson } from '../../db/json-column.ts';
import { EventPayload } from '../shared/events.repository.ts';

const defaultInitialStage = 'lead';
/** Clients' clocks drift; a stage change may claim a time this far in the future. */
const allowedClockSkewMs = 5 * 60_000;

/** What must happen in the same transaction as a stage change (the SLA's clocks of the new stage). */
export interface StageChangeListener {
  onStageChanged(trx: Db, contactId: string): Promise<void>;
}

/** A contact's current score as the data export shows it. */
export interface ContactScoreForExport {
  modelVersion: number;
  fit: number;
  engagement: number;
  grade: string;
  qualifies: boolean;
  scoredAt: string;
}

/**
 * What contacts read from the modules built on them, handed in by the composition root so that
 * contacts imports none of them: the contact's score, for the person's data export.
 */
export interface ContactsPorts {
  scoreOf(trx: Db, contactId: string): Promise<ContactScoreForExport | null>;
}

export function createContactsService(
  deps: ServiceDeps,
  listener?: StageChangeListener,
  ports?: ContactsPorts,
) {
  const { db, clock, events } = deps;

  /** The contact if the actor may see it; otherwise the same "not found" as for a missing one. */
  async function loadVisible(
    conn: Db,
    actor: Actor,
    id: string,
  ): Promise<{ row: ContactRow; visibility: Visibility }> {
    const [row, visibility] = await Promise.all([findContactById(conn, id), loadVisibility(conn, actor)]);
    if (!row || !canSee(visibility, row.owner_id)) throw contactNotFound();
    return { row, visibility };
  }

  /** An address of a contact merged into another still belongs to that person. */
  async function checkNotAnAlias(conn: Db, email: string): Promise<void> {
    if (await findContactIdByAlias(conn, normalizeEmail(email))) throw contactEmailTaken();
  }

  async function checkAccount(conn: Db, accountId: string | null | undefined): Promise<void> {
    if (accountId === undefined || accountId === null) return;
    if (!(await findAccountById(conn, accountId))) throw invalidAccount();
  }

  const write = <T>(work: (trx: Db) => Promise<T>) => inTransaction(db, work, () => contactEmailTaken());

  function consentFields(input: CreateContactBody | UpdateContactBody, now: Date): ContactUpdate {
    return {
      ...(input.consent && {
        consent_status: input.consent.status,
        consent_source: input.consent.source,
        consent_at: toDbTime(input.consent.at ? new Date(input.consent.at) : now),
      }),
      ...(input.optOut && {
        is_opted_out: input.optOut.isOptedOut,
        opt_out_source: input.optOut.source,
        opt_out_at: toDbTime(input.optOut.at ? new Date(input.optOut.at) : now),
      }),
    };
  }

  function stageChangeRow(
    who: Actor,
    contactId: string,
    change: {
      from: string | null;
      to: string;
      occurredAt: Date;
      reasonCode?: string;
      note?: string;
      noteMessage?: Message;
    },
  ): NewStageChangeRow & StageChangeRow {
    const ref = actorRef(who);
    return {
      id: newId(),
      contact_id: contactId,
      from_stage: change.from,
      to_stage: change.to,
      occurred_at: toDbTime(change.occurredAt),
      recorded_at: toDbTime(clock.now()),
      actor_kind: ref.kind,
      actor_id: ref.id,
      actor_label: who.kind === 'cli' ? 'cli' : null,
      reason_code: change.reasonCode ?? null,
      note: change.note ?? null,
      note_message: change.noteMessage ? JSON.stringify(change.noteMessage) : null,
      agreement_version: null,
    };
  }

  return {
    /**
     * Indexes up to `limit` new contacts for search (SQLite indexes them in bulk after they are
     * stored; a search catches up first, the background keeps the backlog small). Returns how many.
     */
    indexPendingSearch(limit = 1_000): Promise<number> {
      return indexPendingSearch(db, limit);
    },

    async listContacts(actor: Actor | null, query: ListContactsQuery) {
      const who = authorize(actor, 'contacts.read');
      const visibility = await loadVisibility(db, who);
      const limit = query.limit ?? 50;
      const { createdFrom, createdBefore, ...rest } = query;
      const filter = {
        ...rest,
        ...(query.email !== undefined && { email: normalizeEmail(query.email) }),
        ...(createdFrom !== undefined && { createdFrom: new Date(createdFrom) }),
        ...(createdBefore !== undefined && { createdBefore: new Date(createdBefore) }),
      };
      const beforeId = decodeCursor(query.cursor);
      const rows = await findContacts(db, filter, visibility, limit + 1, beforeId);
      if (rows.length === 0 && filter.q !== undefined && beforeId === undefined) {
        // Nothing contains the search: the contacts it resembles despite typos, best first, on one page.
        const { q, ...rest } = filter;
        const similar = (await findSimilarContacts(db, q, rest, visibility))
          .map(({ row, text }) => ({ row, score: similarMatch(q, text) }))
          .filter((c): c is { row: ContactRow; score: number } => c.score !== null)
          .sort((a, b) => b.score - a.score || (a.row.id < b.row.id ? 1 : -1))
          .slice(0, limit);
        return { data: similar.map((c) => toContact(c.row)), nextCursor: null, match: 'similar' as const };
      }
      const page = toPage(rows, limit);
      return {
        data: page.items.map(toContact),
        nextCursor: page.nextCursor,
        ...(filter.q !== undefined && { match: 'exact' as const }),
      };
    },

    async getContact(actor: Actor | null, id: string): Promise<Contact> {
      const who = authorize(actor, 'contacts.read');
      return toContact((await loadVisible(db, who, id)).row);
    },

    async createContact(actor: Actor | null, input: CreateContactBody): Promise<Contact> {
      const who = authorize(actor, 'contacts.write');
      const now = clock.now();
      const id = newId();
      return write(async (trx) => {
        await checkNotAnAlias(trx, input.email);
        const visibility = await loadVisibility(trx, who);
        // Reps and managers own what they create, so they can see it afterwards.
        const ownerId = await resolveNewOwner(
          trx,
          who,
          visibility,
          input.ownerId,
          'contacts.invalid_owner',
          'contacts',
        );
        await checkAccount(trx, input.accountId);

        const stage = input.stage ?? defaultInitialStage;
        const stages = (await findStages(trx)).map(toStageRule);
        const decision = decideStageChange({ from: null, to: stage, reasonCode: null }, stages);
        if (decision.kind === 'refused') throw stageChangeRefused(decision, 'stage');

        await insertContact(trx, {
          id,
          email: normalizeEmail(input.email),
          first_name: input.firstName ?? null,
          last_name: input.lastName ?? null,
          title: input.title ?? null,
          phone: input.phone ?? null,
          country: input.country ?? null,
          account_id: input.accountId ?? null,
          owner_id: ownerId,
          stage,
          stage_entered_at: toDbTime(now),
          consent_status: 'unknown',
          consent_source: null,
          consent_at: null,
          is_opted_out: false,
          opt_out_source: null,
          opt_out_at: null,
          created_at: toDbTime(now),
          updated_at: toDbTime(now),
          ...consentFields(input, now),
        });
        await insertStageChange(trx, stageChangeRow(who, id, { from: null, to: stage, occurredAt: now }));
        await insertEvent(trx, {
          type: 'contact.created',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'contact', id },
          payload: { stage, ownerId },
        });
        return toContact((await findContactById(trx, id))!);
      });
    },

    async updateContact(actor: Actor | null, id: string, input: UpdateContactBody): Promise<Contact> {
      const who = authorize(actor, 'contacts.write');
      const now = clock.now();
      return write(async (trx) => {
        if (input.email !== undefined) await checkNotAnAlias(trx, input.email);
        const { row, visibility } = await loadVisible(trx, who, id);
        if (input.ownerId !== undefined && input.ownerId !== row.owner_id) {
          if (input.ownerId === null && visibility.kind === 'owned_by') {
            throw invalidOwner('you cannot leave a contact without an owner');
          }
          await checkOwner(trx, visibility, input.ownerId, 'contacts.invalid_owner', 'contacts');
        }
        await checkAccount(trx, input.accountId);
        await updateContactRow(trx, id, {
          ...(input.email !== undefined && { email: normalizeEmail(input.email) }),
          ...(input.firstName !== undefined && { first_name: input.firstName }),
          ...(input.lastName !== undefined && { last_name: input.lastName }),
          ...(input.title !== undefined && { title: input.title }),
          ...(input.phone !== undefined && { phone: input.phone }),
          ...(input.country !== undefined && { country: input.country }),
          ...(input.accountId !== undefined && { account_id: input.accountId }),
          ...(input.ownerId !== undefined && { owner_id: input.ownerId }),
          ...consentFields(input, now),
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'contact.updated',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'contact', id },
          payload: { fields: Object.keys(input) },
        });
        return toContact((await findContactById(trx, id))!);
      });
    },

    /** Moves a contact to another lifecycle stage under the rules of decideStageChange. */
    async changeStage(actor: Actor | null, id: string, input: ChangeStageBody): Promise<StageChange> {
      const who = authorize(actor, 'lifecycle.change');
      const recorded = await db.transaction().execute(async (trx) => {
        const { row } = await loadVisible(trx, who, id);
        return this.changeStageIn(trx, who, row, input);
      });
      this.announceStageChange(recorded);
      return recorded;
    },

    /**
     * The stage change itself, in the caller's transaction (the handoff's accept, reject and
     * qualify share it): the rules, the compare-and-set on the stage, the history row, the SLA's
     * clocks of the new stage. The caller announces it after the commit.
     */
    /** A stage change in the caller's transaction; Baton's own note carries its message too. */
    async changeStageIn(
      trx: Db,
      who: Actor,
      row: ContactRow,
      input: ChangeStageBody & { noteMessage?: Message },
    ): Promise<StageChange> {
      const now = clock.now();
      const occurredAt = input.occurredAt ? new Date(input.occurredAt) : now;
      if (occurredAt.getTime() > now.getTime() + allowedClockSkewMs)
        throw invalidOccurredAt('is in the future');
      if (occurredAt < fromDbTime(row.stage_entered_at)) {
        throw invalidOccurredAt('is before the contact entered its current stage');
      }
      const stages = (await findStages(trx)).map(toStageRule);
      const decision = decideStageChange(
        { from: row.stage, to: input.to, reasonCode: input.reasonCode ?? null },
        stages,
      );
      if (decision.kind === 'refused') throw stageChangeRefused(decision, 'to');

      const moved = await updateContactStage(trx, row.id, row.stage, {
        stage: input.to,
        stage_entered_at: toDbTime(occurredAt),
        updated_at: toDbTime(now),
      });
      if (!moved) throw concurrentStageChange();
      const change = stageChangeRow(who, row.id, {
        from: row.stage,
        to: input.to,
        occurredAt,
        ...(input.reasonCode !== undefined && { reasonCode: input.reasonCode }),
        ...(input.note !== undefined && { note: input.note }),
        ...(input.noteMessage && { noteMessage: input.noteMessage }),
      });
      await insertStageChange(trx, change);
      await listener?.onStageChanged(trx, row.id);
      await insertEvent(trx, {
        type: 'contact.stage_changed',
        occurredAt,
        actor: actorRef(who),
        subject: { type: 'contact', id: row.id },
        payload: {
          from: row.stage,
          to: input.to,
          direction: decision.direction,
          reasonCode: input.reasonCode ?? null,
        },
      });
      return toStageChange(change);
    },

    /** Routing and the SLA listen for a contact entering a stage, whoever moved it. */
    announceStageChange(recorded: StageChange): void {
      events.publish([
        {
          type: 'contact.stage_changed',
          contactId: recorded.contactId,
          from: recorded.from,
          to: recorded.to,
          at: new Date(recorded.occurredAt),
        },
      ]);
    },

    /** Where each purpose of consent stands for a person, and every record of it. */
    async listConsents(actor: Actor | null, id: string): Promise<Consents> {
      const who = authorize(actor, 'contacts.read');
      await loadVisible(db, who, id);
      return presentConsents(await findConsentRecords(db, id));
    },

    /**
     * Records consent given or withdrawn for one purpose, with the text and its version (derived
     * from the text when not given). The newsletter's consent is also the contact's marketing
     * consent; a withdrawn sales contact keeps the lead from being routed to a rep. Logged.
     */
    async recordConsent(actor: Actor | null, id: string, input: RecordConsentBody): Promise<Consents> {
      const who = authorize(actor, 'contacts.write');
      const now = clock.now();
      const at = input.at ? new Date(input.at) : now;
      if (at.getTime() > now.getTime() + 5 * 60_000)
        throw fieldError('http.validation_failed', 'at', 'is in the future');
      return write(async (trx) => {
        await loadVisible(trx, who, id);
        const version =
          input.version ??
          (input.text ? createHash('sha256').update(input.text).digest('hex').slice(0, 12) : null);
        await insertConsent(trx, {
          contactId: id,
          purpose: input.purpose,
          status: input.status,
          source: input.source,
          text: input.text ?? null,
          version,
          language: input.language ?? null,
          at,
          recordedAt: now,
        });
        if (input.purpose === 'newsletter') {
          const current = currentConsents(
            (await findConsentRecords(trx, id)).map((r) => ({ ...r, occurredAt: fromDbTime(r.occurred_at) })),
          ).find((c) => c.purpose === 'newsletter')!;
          if (current.at && current.at.getTime() === at.getTime())
            await updateContactRow(trx, id, {
              consent_status: current.status === 'granted' ? 'granted' : 'withdrawn',
              consent_source: input.source,
              consent_at: toDbTime(at),
              updated_at: toDbTime(now),
            });
        }
        await insertEvent(trx, {
          type: 'contact.consent_recorded',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'contact', id },
          payload: { purpose: input.purpose, status: input.status, source: input.source, version },
        });
        return presentConsents(await findConsentRecords(trx, id));
      });
    },

    /**
     * Everything Baton holds about a person, for a request under GDPR/AVG art. 15 (access) and 20
     * (portability): the contact, their company, other addresses, touches, stage history, consent
     * records, score and the audit log. The export itself is logged.
     */
    async exportContact(actor: Actor | null, id: string): Promise<ContactExport> {
      const who = authorize(actor, 'contacts.export');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const { row } = await loadVisible(trx, who, id);
        const account = row.account_id ? await findAccountById(trx, row.account_id) : undefined;
        const domains = account
          ? ((await findDomainsByAccounts(trx, [account.id])).get(account.id) ?? [])
          : [];
        const score = ports ? await ports.scoreOf(trx, id) : null;
        const events = await findEventsBySubject(trx, 'contact', id);
        const result: ContactExport = {
          exportedAt: now.toISOString(),
          contact: toContact(row),
          account: account ? { id: account.id, name: account.name, domains } : null,
          otherEmails: await findAliasEmails(trx, id),
          touchpoints: (await findTouchpointsOfContact(trx, id)).map(toTouchpoint),
          stageChanges: (await findStageChanges(trx, id)).map(toStageChange),
          consentRecords: (await findConsentRecords(trx, id)).map(toConsentRecord),
          score,
          events: events.map((e) => ({
            type: e.type,
            occurredAt: fromDbTime(e.occurred_at).toISOString(),
            payload: readJson(EventPayload, e.payload, 'events.payload'),
          })),
        };
        await insertEvent(trx, {
          type: 'contact.exported',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'contact', id },
          payload: {},
        });
        return result;
      });
    },

    /** Everything the contact did and Sales did with them, oldest first: the marketing history a rep sees. */
    async listTouchpoints(actor: Actor | null, id: string): Promise<Touchpoint[]> {
      const who = authorize(actor, 'contacts.read');
      await loadVisible(db, who, id);
      return (await findTouchpointsOfContact(db, id)).map(toTouchpoint);
    },

    /**
     * Erases a person on request: the contact and everything about them goes, and the address is
     * kept only as a hash on the suppression list, so no later import, form or event stores them again.
     */
    async eraseContact(actor: Actor | null, id: string): Promise<void> {
      const who = authorize(actor, 'contacts.erase');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const { row } = await loadVisible(trx, who, id);
        // Every address the person had, also those of contacts merged into this one.
        for (const email of [...(row.email ? [row.email] : []), ...(await findAliasEmails(trx, id))]) {
          await insertSuppression(trx, emailHash(email), 'erased', now);
        }
        if (row.external_id) await insertSuppression(trx, externalIdHash(row.external_id), 'erased', now);
        await deleteContact(trx, id);
        // The logs keep that something happened to this id, not what it said about the person.
        await scrubLogsAbout(trx, 'contact', id);
        await insertEvent(trx, {
          type: 'contact.erased',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'contact', id },
          payload: {},
        });
      });
    },

    /**
     * Merges a duplicate into this contact: its touches, consent records, visitor ids and
     * addresses move over, blank fields are filled from it, the earlier first source and the later
     * latest source win, an opt-out on either side stands, and the duplicate is removed. Its fields
     * and stage history are kept in the audit log (`contact.merged`), and its address keeps
     * leading here.
     */
    async mergeContacts(actor: Actor | null, id: string, input: MergeContactBody): Promise<Contact> {
      const who = authorize(actor, 'contacts.write');
      if (id === input.duplicateId)
        throw fieldError('contacts.merge_same', 'duplicateId', 'is this contact itself');
      const now = clock.now();
      return write(async (trx) => {
        const { row: survivor } = await loadVisible(trx, who, id);
        const { row: duplicate } = await loadVisible(trx, who, input.duplicateId);
        const history = (await findStageChanges(trx, duplicate.id)).map(toStageChange);
        // The duplicate's first and latest touches compete by the same rule as any touch would.
        const current = {
          originalAt: fromDbTimeOrNull(survivor.original_touch_at),
          latestAt: fromDbTimeOrNull(survivor.latest_touch_at),
        };
        const asTouch = (at: Date | string | null) => ({
          at: fromDbTime(at!),
          category: 'marketing' as const,
        });
        const takeOriginal =
          duplicate.original_touch_at !== null &&
          decideSourceUpdate(current, asTouch(duplicate.original_touch_at)).original;
        const takeLatest =
          duplicate.latest_touch_at !== null &&
          decideSourceUpdate(current, asTouch(duplicate.latest_touch_at)).latest;
        const fill = <K extends keyof ContactRow>(key: K) =>
          survivor[key] === null && duplicate[key] !== null ? { [key]: duplicate[key] } : {};

        await moveContactDependants(trx, duplicate.id, survivor.id);
        await deleteContact(trx, duplicate.id);
        if (duplicate.email) await insertContactAlias(trx, duplicate.email, survivor.id, toDbTime(now));
        await updateContactRow(trx, survivor.id, {
          ...fill('first_name'),
          ...fill('last_name'),
          ...fill('title'),
          ...fill('phone'),
          ...fill('country'),
          ...fill('account_id'),
          ...fill('owner_id'),
          ...fill('lead_touch_id'),
          ...(takeOriginal && {
            original_touch_id: duplicate.original_touch_id,
            original_touch_at:
              duplicate.original_touch_at === null ? null : toDbTime(fromDbTime(duplicate.original_touch_at)),
            original_source: duplicate.original_source,
            original_campaign: duplicate.original_campaign,
          }),
          ...(takeLatest && {
            latest_touch_id: duplicate.latest_touch_id,
            latest_touch_at:
              duplicate.latest_touch_at === null ? null : toDbTime(fromDbTime(duplicate.latest_touch_at)),
            latest_source: duplicate.latest_source,
            latest_campaign: duplicate.latest_campaign,
          }),
          ...(fromDbBool(duplicate.is_opted_out) &&
            !fromDbBool(survivor.is_opted_out) && {
              is_opted_out: true,
              opt_out_source: duplicate.opt_out_source,
              opt_out_at: duplicate.opt_out_at === null ? null : toDbTime(fromDbTime(duplicate.opt_out_at)),
            }),
          ...(survivor.consent_status === 'unknown' &&
            duplicate.consent_status !== 'unknown' && {
              consent_status: duplicate.consent_status,
              consent_source: duplicate.consent_source,
              consent_at: duplicate.consent_at === null ? null : toDbTime(fromDbTime(duplicate.consent_at)),
            }),
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'contact.merged',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'contact', id: survivor.id },
          payload: { merged: toContact(duplicate), stageHistory: history },
        });
        return toContact((await findContactById(trx, survivor.id))!);
      });
    },

    /**
     * Contacts that look like the same person, and why: the same name at the same company or from
     * a free-mail address, or the same phone number. Of those the reader may see; merging is theirs.
     * The candidates are the namesakes the search index finds and the people of the same account,
     * so a same phone is found among those (phones have no index of their own).
     */
    async duplicates(actor: Actor | null, id: string): Promise<{ data: ContactDuplicate[] }> {
      const who = authorize(actor, 'contacts.read');
      const { row, visibility } = await loadVisible(db, who, id);
      const self = toContact(row);
      // Namesakes through the search index, and the people of the same account.
      const lookups = [
        ...(row.last_name ? [findContacts(db, { q: row.last_name }, visibility, 100)] : []),
        ...(row.account_id ? [findContacts(db, { accountId: row.account_id }, visibility, 200)] : []),
      ];
      const seen = new Set<string>([id]);
      const data: ContactDuplicate[] = [];
      for (const candidate of (await Promise.all(lookups)).flat()) {
        if (seen.has(candidate.id)) continue;
        seen.add(candidate.id);
        const contact = toContact(candidate);
        const because = contactLikeness(self, contact);
        if (because) data.push({ contact, because });
      }
      return { data };
    },

    /**
     * Puts a person in a campaign by its name (Marketing's nurture track, an event's invitees): the
     * list filtered on the campaign shows them, and its export is the campaign's list. A member
     * once; membership is no touch, so it moves no score and gives no credit.
     */
    async addToCampaign(actor: Actor | null, id: string, campaign: string): Promise<{ added: boolean }> {
      const who = authorize(actor, 'contacts.write');
      const now = clock.now();
      const name = campaign.trim();
      return db.transaction().execute(async (trx) => {
        await loadVisible(trx, who, id);
        const added = await insertCampaignMember(trx, {
          contact_id: id,
          campaign: name,
          added_by: who.kind === 'user' ? who.userId : null,
          added_at: toDbTime(now),
        });
        if (added)
          await insertEvent(trx, {
            type: 'contact.campaign_added',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'contact', id },
            payload: { campaign: name },
          });
        return { added };
      });
    },

    /** The current stage, when each stage was last entered, and the full history. */
    async getLifecycle(actor: Actor | null, id: string): Promise<Lifecycle> {
      const who = authorize(actor, 'contacts.read');
      const { row } = await loadVisible(db, who, id);
      const history = (await findStageChanges(db, id)).map(toStageChange);
      const entered = stageEntryTimes(history.map((h) => ({ to: h.to, occurredAt: new Date(h.occurredAt) })));
      return {
        contactId: id,
        stage: row.stage,
        stageEnteredAt: fromDbTime(row.stage_entered_at).toISOString(),
        enteredAt: Object.fromEntries(Object.entries(entered).map(([k, v]) => [k, v.toISOString()])),
        history,
      };
    },
  };
}

export type ContactsService = ReturnType<typeof createContactsService>;
