import type { OneClickActBody, OneClickDone, OneClickPreview } from '../../../contract/one-click.ts';
import type { Actor, Role } from '../../../domain/access/roles.ts';
import { fromDbBool, fromDbTime } from '../../db/dialect.ts';
import { hashToken } from '../../platform/secrets.ts';
import type { Contact, Touchpoint } from '../../../contract/contacts.ts';
import type {
  AcceptBody,
  HandoffDecision,
  LogActivityBody,
  RejectBody,
  RejectionReason,
} from '../../../contract/handoff.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { findUserById } from '../users/users.repository.ts';
import { findAccountById } from '../accounts/accounts.repository.ts';
import {
  claimActionLink,
  findActionLinkByHash,
  releaseActionLink,
  type ActionLinkRow,
} from './one-click.repository.ts';

/**
 * The actions behind the links in emails. A link acts as the rep it was made for, with their role
 * and their view of the records at the moment of acting, so the lead's history shows the rep's own
 * decision; a deactivated rep's links no longer work.
 */
export function createOneClickService(
  deps: ServiceDeps,
  // The handoff's and contacts' own methods, handed in by services.ts (handoff notifies, and
  // notifications issue these links, so this module may not import handoff).
  handoff: {
    accept(actor: Actor, id: string, input: AcceptBody): Promise<HandoffDecision>;
    reject(actor: Actor, id: string, input: RejectBody): Promise<HandoffDecision>;
    logActivity(actor: Actor, id: string, input: LogActivityBody): Promise<Touchpoint>;
    listReasons(actor: Actor): Promise<RejectionReason[]>;
  },
  contacts: { getContact(actor: Actor, id: string): Promise<Contact> },
) {
  const { db, clock } = deps;

  /** The link of a token, still good; else the problem a page can explain. */
  const open = async (
    token: string,
  ): Promise<{ link: ActionLinkRow; actor: Actor; name: string; language: string }> => {
    const link = await findActionLinkByHash(db, hashToken(token));
    if (!link) throw createError('auth.link_invalid');
    if (link.used_at !== null) throw createError('auth.link_used');
    if (fromDbTime(link.expires_at).getTime() <= clock.now().getTime())
      throw createError('auth.link_expired');
    const user = await findUserById(db, link.user_id);
    if (!user || !fromDbBool(user.is_active)) throw createError('auth.link_invalid');
    return {
      link,
      actor: { kind: 'user', userId: user.id, role: user.role as Role },
      name: user.name,
      language: user.language,
    };
  };

  return {
    async preview(token: string): Promise<OneClickPreview> {
      const { link, actor, name, language } = await open(token);
      const contact = await contacts.getContact(actor, link.contact_id);
      const person = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
      return {
        action: link.action,
        expiresAt: fromDbTime(link.expires_at).toISOString(),
        rep: { name, language },
        lead: {
          id: contact.id,
          name: person || contact.email || contact.id,
          company: contact.accountId ? ((await findAccountById(db, contact.accountId))?.name ?? null) : null,
          stage: contact.stage,
        },
        reasons:
          link.action === 'reject'
            ? (await handoff.listReasons(actor))
                .filter((r) => r.active)
                .map((r) => ({ key: r.key, label: r.label }))
            : [],
      };
    },

    /** Does what the link says, once: a second use, or one after it expired, changes nothing. */
    async act(input: OneClickActBody): Promise<OneClickDone> {
      const { link, actor } = await open(input.token);
      if (link.action === 'reject' && !input.reasonCode)
        throw fieldError('http.validation_failed', 'reasonCode', 'is required to reject a lead');
      if (!(await claimActionLink(db, link.id, clock.now()))) throw createError('auth.link_used');
      try {
        const note = input.note ? { note: input.note } : {};
        if (link.action === 'accept') {
          const decision = await handoff.accept(actor, link.contact_id, note);
          return { action: 'accept', contactId: link.contact_id, stage: decision.stage };
        }
        if (link.action === 'reject') {
          const decision = await handoff.reject(actor, link.contact_id, {
            reasonCode: input.reasonCode!,
            ...note,
          });
          return { action: 'reject', contactId: link.contact_id, stage: decision.stage };
        }
        await handoff.logActivity(actor, link.contact_id, { type: 'call_logged', ...note });
        const contact = await contacts.getContact(actor, link.contact_id);
        return { action: 'log_call', contactId: link.contact_id, stage: contact.stage };
      } catch (error) {
        // Nothing happened: the link stays good for another try.
        await releaseActionLink(db, link.id);
        throw error;
      }
    },
  };
}

export type OneClickService = ReturnType<typeof createOneClickService>;
