import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import type { Role } from '../../../domain/access/roles.ts';
import { partiesToLog } from '../../../domain/mailbox/logging-address.ts';
import { meetingChange, type MeetingStatus } from '../../../domain/mailbox/meetings.ts';
import { readJson } from '../../db/json-column.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { Invitation } from '../../platform/invitation.ts';
import { newId } from '../../platform/ids.ts';
import type { CaptureService } from '../capture/capture.service.ts';
import type { ContactsService } from '../contacts/contacts.service.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import {
  findMailLogSettings,
  findMeeting,
  findOwnEmailDomains,
  insertMeeting,
  updateMeeting,
} from './mailbox.repository.ts';

const Domains = Type.Array(Type.String());

export const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** The latest a logged email may be dated: a clock a minute fast is forgiven, the future is not. */
const allowedSkewMs = 60_000;

/** Where an activity came from: the logging address, or the person's synced mailbox. */
export type MailSource = 'logging_address' | 'mailbox';

export interface MailPerson {
  id: string;
  email: string;
  role: string;
}

/** The company's rules for what mail is logged, read once per message or sync. */
export interface MailRules {
  own: string[];
  ignored: string[];
  storeExcerpt: boolean;
  loggingDomain: string;
}

export interface MailLogDeps {
  capture: CaptureService;
  contacts: ContactsService;
  settle: (contactId: string) => Promise<void>;
}

/**
 * Logging mail as activities, for the logging address and the mailbox sync alike: an email with
 * each lead among its parties that the person may see, once per message and lead however often it
 * arrives (the touch is named by the message), and an invitation as a meeting with each lead.
 * A logged email settles the lead's clocks before this returns.
 */
export function createMailLog({ db, clock }: ServiceDeps, { capture, contacts, settle }: MailLogDeps) {
  const leadOf = async (person: MailPerson, email: string) => {
    const actor = { kind: 'user', userId: person.id, role: person.role as Role } as const;
    return (await contacts.listContacts(actor, { email, limit: 1 })).data[0] ?? null;
  };

  return {
    async rules(loggingDomain: string): Promise<MailRules> {
      const settings = await findMailLogSettings(db);
      return {
        own: await findOwnEmailDomains(db),
        ignored: readJson(Domains, settings.ignored_domains, 'mail_log_settings.ignored_domains'),
        storeExcerpt: fromDbBool(settings.store_excerpt),
        loggingDomain,
      };
    },

    /** The leads a message is with: those it went to (sent), or the one it came from (received). */
    partiesOf(
      direction: 'sent' | 'received',
      person: MailPerson,
      message: { from: string | null; to: string[]; cc: string[] },
      rules: MailRules,
    ): string[] {
      const skip = { ownDomains: rules.own, loggingDomain: rules.loggingDomain, neverLogged: rules.ignored };
      return direction === 'sent'
        ? partiesToLog({ from: message.from ?? person.email, to: message.to, cc: message.cc }, skip)
        : partiesToLog({ from: person.email, to: message.from ? [message.from] : [], cc: [] }, skip);
    },

    /** Logs one email for one person with each of `parties` who is a lead they may see. */
    async logEmail(
      person: MailPerson,
      message: {
        type: 'email_sent' | 'email_received';
        parties: string[];
        subject: string | null;
        date: Date | null;
        /** What makes it this message (its Message-ID): the same message is logged once. */
        identity: string;
        excerpt?: string | null;
      },
      via: MailSource,
    ): Promise<{ logged: number; duplicates: number; notALead: number }> {
      const result = { logged: 0, duplicates: 0, notALead: 0 };
      const now = clock.now();
      // A Date header counts whole seconds: the email left somewhere in that second, and is taken
      // at its end (never later than now), so an email sent in the second its lead arrived answers it.
      const occurredAt =
        message.date && message.date.getTime() <= now.getTime() + allowedSkewMs
          ? new Date(Math.min(message.date.getTime() + 999, Math.max(now.getTime(), message.date.getTime())))
          : now;
      for (const email of message.parties) {
        const contact = await leadOf(person, email);
        if (!contact) {
          result.notALead += 1;
          continue;
        }
        const ingested = await capture.ingestFrom(
          { actor: { kind: 'user', id: person.id }, sourceKind: 'mail', defaultUserId: person.id },
          {
            // The same id whichever way the message came (a BCC, a forward, the synced Sent folder).
            id: `mail:${hashOf(`${message.identity}|${email}`)}${message.type === 'email_received' ? ':in' : ''}`,
            type: message.type,
            occurredAt: occurredAt.toISOString(),
            email,
            userId: person.id,
            properties: {
              via,
              ...(message.subject && { subject: message.subject.slice(0, 300) }),
              ...(message.excerpt && { excerpt: message.excerpt.slice(0, 300) }),
            },
          },
        );
        if (ingested.status === 'duplicate') result.duplicates += 1;
        else {
          result.logged += 1;
          await settle(contact.id);
        }
      }
      return result;
    },

    /**
     * An invitation the person sent, forwarded or received: for each lead among its attendees
     * (or its organiser), a meeting booked (`meeting_booked`), moved or cancelled. It counts as
     * held once its start has passed.
     */
    async logInvitation(
      person: MailPerson,
      invitation: Invitation,
      rules: MailRules,
      via: MailSource,
    ): Promise<{ booked: number; notALead: number }> {
      const result = { booked: 0, notALead: 0 };
      const now = clock.now();
      const leads = partiesToLog(
        {
          from: person.email,
          to: invitation.attendees,
          cc: invitation.organizer ? [invitation.organizer] : [],
        },
        { ownDomains: rules.own, loggingDomain: rules.loggingDomain, neverLogged: rules.ignored },
      );
      for (const email of leads) {
        const contact = await leadOf(person, email);
        if (!contact) {
          result.notALead += 1;
          continue;
        }
        const existing = await findMeeting(db, invitation.uid, contact.id);
        const change = meetingChange(
          existing
            ? { status: existing.status as MeetingStatus, startsAt: fromDbTime(existing.starts_at).getTime() }
            : null,
          { method: invitation.method, startsAt: invitation.start.getTime() },
        );
        if (change.kind === 'none') continue;
        if (change.kind === 'cancel') {
          await updateMeeting(db, existing!.id, { status: 'cancelled', updated_at: toDbTime(now) });
          continue;
        }
        if (existing)
          await updateMeeting(db, existing.id, {
            status: 'booked',
            starts_at: toDbTime(invitation.start),
            summary: invitation.summary,
            updated_at: toDbTime(now),
          });
        else
          await insertMeeting(db, {
            id: newId(),
            uid: invitation.uid,
            contact_id: contact.id,
            user_id: person.id,
            summary: invitation.summary,
            starts_at: toDbTime(invitation.start),
            status: 'booked',
            created_at: toDbTime(now),
            updated_at: toDbTime(now),
          });
        if (change.kind !== 'book') continue;
        const ingested = await capture.ingestFrom(
          { actor: { kind: 'user', id: person.id }, sourceKind: 'mail', defaultUserId: person.id },
          {
            id: `meeting-booked:${hashOf(`${invitation.uid}|${email}|${existing?.id ?? ''}`)}`,
            type: 'meeting_booked',
            occurredAt: now.toISOString(),
            email,
            userId: person.id,
            properties: {
              via,
              startsAt: invitation.start.toISOString(),
              ...(invitation.summary && { subject: invitation.summary.slice(0, 300) }),
            },
          },
        );
        if (ingested.status !== 'duplicate') result.booked += 1;
      }
      return result;
    },
  };
}

export type MailLog = ReturnType<typeof createMailLog>;
