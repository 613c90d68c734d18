/**
 * The handoff as a handshake (issue 7): the assigned rep — or their manager, or someone above —
 * accepts an MQL (→ SAL) or rejects it with an agreed reason, which recycles it to Marketing or
 * disqualifies it; an accepted lead is qualified to SQL against a checklist. A lead rejected as
 * often as the ping-pong limit is routed again only by a person.
 */
import type { StageChange } from '../../../contract/stages.ts';
import type {
  AcceptBody,
  CreateRejectionReasonBody,
  HandoffDecision,
  HandoffSettings,
  QualifyBody,
  RejectBody,
  RejectionReason,
  UpdateHandoffSettingsBody,
  UpdateRejectionReasonBody,
} from '../../../contract/handoff.ts';
import { canSee, type Actor } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbJson, toDbTime } from '../../db/dialect.ts';
import type { ContactRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import type { ContactsService } from '../contacts/contacts.service.ts';
import { findContactById, updateContactRow } from '../contacts/contacts.repository.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { inTransaction } from '../shared/transaction.ts';
import { loadVisibility } from '../shared/visibility.ts';
import { findManagerChain } from '../users/users.repository.ts';
import {
  findHandoffSettings,
  findRejectionReason,
  findRejectionReasons,
  insertQualification,
  insertRejectionReason,
  updateHandoffSettingsRow,
  updateRejectionReasonRow,
  type HandoffSettingsRow,
  type RejectionReasonRow,
} from './handoff.repository.ts';

function toReason(row: RejectionReasonRow): RejectionReason {
  return {
    key: row.key,
    label: { en: row.label_en, nl: row.label_nl },
    outcome: row.outcome,
    position: Number(row.position),
    active: fromDbBool(row.is_active),
  };
}

function toSettings(row: HandoffSettingsRow): HandoffSettings {
  return {
    engagementReset: fromDbBool(row.is_engagement_reset),
    pingPongLimit: Number(row.ping_pong_limit),
    qualificationChecklist: fromDbJson(
      row.qualification_checklist,
    ) as HandoffSettings['qualificationChecklist'],
  };
}

export function createHandoffService(deps: ServiceDeps, contacts: ContactsService) {
  const { db, clock } = deps;

  /**
   * The lead, if the actor may decide on it: visible to them (else the same 404 as a missing
   * lead), and its rep, the rep's manager or someone above — or an admin.
   */
  async function loadDecidable(trx: Db, who: Actor, id: string): Promise<ContactRow> {
    const [row, visibility] = await Promise.all([findContactById(trx, id), loadVisibility(trx, who)]);
    if (!row || !canSee(visibility, row.owner_id)) throw createError('contacts.not_found');
    if (who.kind === 'cli' || who.role === 'admin') return row;
    if (who.kind !== 'user') throw createError('handoff.not_allowed');
    if (!row.owner_id) throw createError('handoff.unassigned');
    if (row.owner_id === who.userId) return row;
    if ((await findManagerChain(trx, row.owner_id)).includes(who.userId)) return row;
    throw createError('handoff.not_allowed');
  }

  async function decide(
    actor: Actor | null,
    id: string,
    work: (trx: Db, who: Actor, row: ContactRow) => Promise<StageChange>,
  ): Promise<HandoffDecision> {
    const who = authorize(actor, 'handoff.decide');
    const { change, row } = await db.transaction().execute(async (trx) => {
      const lead = await loadDecidable(trx, who, id);
      const recorded = await work(trx, who, lead);
      return { change: recorded, row: (await findContactById(trx, id))! };
    });
    contacts.announceStageChange(change);
    return {
      contactId: id,
      stage: row.stage,
      change,
      rejectionCount: Number(row.rejection_count),
      needsReview: fromDbBool(row.needs_review),
    };
  }

  return {
    /** The rep takes the lead on: MQL → SAL. Stops the MQL clocks and starts the SAL one. */
    async accept(actor: Actor | null, id: string, input: AcceptBody): Promise<HandoffDecision> {
      return decide(actor, id, async (trx, who, row) => {
        if (row.stage !== 'mql') throw createError('handoff.not_an_mql');
        return contacts.changeStageIn(trx, who, row, { to: 'sal', ...(input.note && { note: input.note }) });
      });
    },

    /**
     * The rep sends the lead back with an agreed reason: to Marketing for nurture (recycled, its
     * engagement counting again from now if so configured) or out of the funnel (disqualified).
     * At the ping-pong limit the lead needs a person to route it again.
     */
    async reject(actor: Actor | null, id: string, input: RejectBody): Promise<HandoffDecision> {
      return decide(actor, id, async (trx, who, row) => {
        if (row.stage !== 'mql') throw createError('handoff.not_an_mql');
        const reason = await findRejectionReason(trx, input.reasonCode);
        if (!reason || !fromDbBool(reason.is_active))
          throw fieldError('handoff.unknown_reason', 'reasonCode', 'is not an active rejection reason');
        const settings = toSettings(await findHandoffSettings(trx));
        const change = await contacts.changeStageIn(trx, who, row, {
          to: reason.outcome === 'recycle' ? 'recycled' : 'disqualified',
          reasonCode: reason.key,
          ...(input.note && { note: input.note }),
        });
        const rejections = Number(row.rejection_count) + 1;
        await updateContactRow(trx, row.id, {
          rejection_count: rejections,
          needs_review: rejections >= settings.pingPongLimit,
          ...(reason.outcome === 'recycle' &&
            settings.engagementReset && { engagement_since: toDbTime(clock.now()) }),
          updated_at: toDbTime(clock.now()),
        });
        return change;
      });
    },

    /** The rep confirms the checklist (need, budget, authority, timing): SAL → SQL. */
    async qualify(actor: Actor | null, id: string, input: QualifyBody): Promise<HandoffDecision> {
      return decide(actor, id, async (trx, who, row) => {
        if (row.stage !== 'sal') throw createError('handoff.not_a_sal');
        const { qualificationChecklist } = toSettings(await findHandoffSettings(trx));
        const missing = qualificationChecklist.filter((item) => input.answers[item.key] !== true);
        if (missing.length > 0)
          throw createError(
            'handoff.checklist_incomplete',
            undefined,
            missing.map((item) => ({
              field: `body.answers.${item.key}`,
              reason: `must be confirmed: ${item.label.en}`,
            })),
          );
        const now = clock.now();
        await insertQualification(trx, {
          id: newId(),
          contact_id: row.id,
          user_id: who.kind === 'user' ? who.userId : null,
          answers: JSON.stringify(Object.fromEntries(qualificationChecklist.map((item) => [item.key, true]))),
          note: input.note ?? null,
          occurred_at: toDbTime(now),
        });
        return contacts.changeStageIn(trx, who, row, {
          to: 'sql',
          note: input.note ?? `Qualified: ${qualificationChecklist.map((item) => item.key).join(', ')}`,
        });
      });
    },

    async listReasons(actor: Actor | null): Promise<RejectionReason[]> {
      authorize(actor, 'contacts.read');
      return (await findRejectionReasons(db)).map(toReason);
    },

    async createReason(actor: Actor | null, input: CreateRejectionReasonBody): Promise<RejectionReason> {
      const who = authorize(actor, 'handoff.configure');
      const now = clock.now();
      return inTransaction(
        db,
        async (trx) => {
          const last = (await findRejectionReasons(trx)).at(-1);
          await insertRejectionReason(trx, {
            key: input.key,
            label_en: input.label.en,
            label_nl: input.label.nl,
            outcome: input.outcome,
            position: input.position ?? Number(last?.position ?? 0) + 10,
            is_active: true,
            created_at: toDbTime(now),
            updated_at: toDbTime(now),
          });
          await insertEvent(trx, {
            type: 'handoff.reason_created',
            occurredAt: now,
            actor: actorRef(who),
            subject: { type: 'rejection_reason', id: input.key },
            payload: { ...input },
          });
          return toReason((await findRejectionReason(trx, input.key))!);
        },
        () => fieldError('handoff.reason_exists', 'key', 'a reason with this key exists'),
      );
    },

    async updateReason(
      actor: Actor | null,
      key: string,
      input: UpdateRejectionReasonBody,
    ): Promise<RejectionReason> {
      const who = authorize(actor, 'handoff.configure');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        if (!(await findRejectionReason(trx, key))) throw createError('handoff.reason_not_found');
        await updateRejectionReasonRow(trx, key, {
          ...(input.label && { label_en: input.label.en, label_nl: input.label.nl }),
          ...(input.outcome && { outcome: input.outcome }),
          ...(input.position !== undefined && { position: input.position }),
          ...(input.active !== undefined && { is_active: input.active }),
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'handoff.reason_changed',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'rejection_reason', id: key },
          payload: { ...input },
        });
        return toReason((await findRejectionReason(trx, key))!);
      });
    },

    async getSettings(actor: Actor | null): Promise<HandoffSettings> {
      authorize(actor, 'contacts.read');
      return toSettings(await findHandoffSettings(db));
    },

    async updateSettings(actor: Actor | null, input: UpdateHandoffSettingsBody): Promise<HandoffSettings> {
      const who = authorize(actor, 'handoff.configure');
      const now = clock.now();
      if (input.qualificationChecklist) {
        const keys = input.qualificationChecklist.map((item) => item.key);
        const twice = keys.find((key, i) => keys.indexOf(key) !== i);
        if (twice)
          throw fieldError('http.validation_failed', 'qualificationChecklist', `lists "${twice}" twice`);
      }
      return db.transaction().execute(async (trx) => {
        await updateHandoffSettingsRow(trx, {
          ...(input.engagementReset !== undefined && { is_engagement_reset: input.engagementReset }),
          ...(input.pingPongLimit !== undefined && { ping_pong_limit: input.pingPongLimit }),
          ...(input.qualificationChecklist && {
            qualification_checklist: JSON.stringify(input.qualificationChecklist),
          }),
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'handoff.settings_changed',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'handoff_settings', id: '1' },
          payload: { ...input },
        });
        return toSettings(await findHandoffSettings(trx));
      });
    },
  };
}

export type HandoffService = ReturnType<typeof createHandoffService>;
