import { randomBytes } from 'node:crypto';
import type {
  LoggingAddress,
  MailLogSettings,
  MailLogStatus,
  UpdateMailLogSettingsBody,
} from '../../../contract/mailbox.ts';
import { Type } from 'typebox';
import { readJson } from '../../db/json-column.ts';
import { actorRef, authorize } from '../shared/access.ts';
import { insertEvent } from '../shared/events.repository.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import {
  loggingAddressOf,
  tokenOfRecipient,
  type LoggingDomain,
} from '../../../domain/mailbox/logging-address.ts';
import { normalizeEmail } from '../../../domain/people/normalize.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { MailHeaders, MailRefusal } from '../../platform/mail-listener.ts';
import { readInvitation, type Invitation } from '../../platform/invitation.ts';
import type { CaptureService } from '../capture/capture.service.ts';
import type { ContactsService } from '../contacts/contacts.service.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError } from '../shared/errors.ts';
import {
  findLoggingAddressOfUser,
  findMailLogSettings,
  findPastBookedMeetings,
  findUserOfToken,
  updateMailLogSettings,
  updateMeeting,
  upsertLoggingAddress,
} from './mailbox.repository.ts';
import { createMailLog, hashOf } from './mail-log.ts';
import type { SyncCount } from './mailbox-sync.service.ts';

const Domains = Type.Array(Type.String());

/** 20 characters of [a-z0-9]: some 100 bits, a secret no one guesses. */
function newToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(20)].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * The logging address ("smart BCC"): each person's own `log+TOKEN@domain`, which they BCC on
 * their email with leads or forward it to. A message is logged as the sender's `email_sent` with
 * each lead it was to (the leads they may see), once per message and lead however often it
 * arrives, and the lead's clocks are settled before the SMTP answer, so a rep's email stops the
 * first-response clock the moment it is delivered. Only the subject, the time and the parties are
 * kept; never a body. Baton never replies to this address: what it cannot use is dropped and
 * counted.
 */
export function createMailboxService(
  deps: ServiceDeps,
  {
    capture,
    contacts,
    settle,
    where,
  }: {
    capture: CaptureService;
    contacts: ContactsService;
    settle: (contactId: string) => Promise<void>;
    /** Where the addresses live; null when no domain is known (no public URL and none set). */
    where: LoggingDomain | null;
  },
) {
  const counts: MailLogStatus['counts'] = {
    received: 0,
    logged: 0,
    duplicates: 0,
    unknownSender: 0,
    notALead: 0,
    refusedRecipients: 0,
    tooLarge: 0,
    malformed: 0,
    invitations: 0,
    brokenInvitations: 0,
    unknownTimeZones: 0,
    meetingsBooked: 0,
    meetingsHeld: 0,
    mailboxMessagesRead: 0,
    mailboxSyncFailures: 0,
  };
  const { db, clock, secrets } = deps;
  const log = createMailLog(deps, { capture, contacts, settle });

  const personOf = (who: Actor) => {
    if (who.kind !== 'user')
      throw createError('auth.forbidden', 'A logging address belongs to a person: sign in');
    return who.userId;
  };
  const present = (token: string, createdAt: Date): LoggingAddress => {
    if (!where) throw createError('mailbox.not_configured');
    return { address: loggingAddressOf(token, where), createdAt: createdAt.toISOString() };
  };
  const issue = async (userId: string) => {
    const token = newToken();
    const now = clock.now();
    await upsertLoggingAddress(db, {
      user_id: userId,
      token_hash: hashOf(token),
      token_sealed: secrets.seal(token),
      created_at: toDbTime(now),
    });
    return present(token, now);
  };
  const userOf = async (recipient: string) => {
    const token = where ? tokenOfRecipient(recipient, where) : null;
    if (!token) return null;
    const user = await findUserOfToken(db, hashOf(token));
    return user && fromDbBool(user.is_active) ? user : null;
  };

  return {
    /** The reader's logging address, made at the first ask. */
    async myLoggingAddress(actor: Actor | null): Promise<LoggingAddress> {
      const userId = personOf(authorize(actor, 'me.read'));
      const row = await findLoggingAddressOfUser(db, userId);
      if (!row) return issue(userId);
      return present(secrets.open(row.token_sealed), fromDbTime(row.created_at));
    },

    /** A new logging address for the reader; the old one stops working at once. */
    async renewLoggingAddress(actor: Actor | null): Promise<LoggingAddress> {
      return issue(personOf(authorize(actor, 'me.update')));
    },

    /** What the logging address took, logged, dropped and refused since this process started. */
    status(actor: Actor | null): MailLogStatus {
      authorize(actor, 'mail_log.read');
      return { domain: where?.domain ?? null, counts: { ...counts } };
    },

    /** The domains never logged from mail (the company's own never are). */
    async getSettings(actor: Actor | null): Promise<MailLogSettings> {
      authorize(actor, 'mail_log.configure');
      const row = await findMailLogSettings(db);
      return {
        ignoredDomains: readJson(Domains, row.ignored_domains, 'mail_log_settings.ignored_domains'),
        storeExcerpt: fromDbBool(row.store_excerpt),
        updatedAt: row.updated_at ? fromDbTime(row.updated_at).toISOString() : null,
      };
    },

    /** Sets the domains never logged and whether excerpts are kept; the change is in the audit log. */
    async updateSettings(actor: Actor | null, input: UpdateMailLogSettingsBody): Promise<MailLogSettings> {
      const who = authorize(actor, 'mail_log.configure');
      const now = clock.now();
      const domains = [...new Set(input.ignoredDomains.map((d) => d.toLowerCase()))].sort();
      await db.transaction().execute(async (trx) => {
        const storeExcerpt = input.storeExcerpt ?? fromDbBool((await findMailLogSettings(trx)).store_excerpt);
        await updateMailLogSettings(trx, { ignoredDomains: domains, storeExcerpt }, toDbTime(now));
        await insertEvent(trx, {
          type: 'mail_log.settings_changed',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'mail_log_settings', id: '1' },
          payload: { ignoredDomains: domains, storeExcerpt },
        });
      });
      return this.getSettings(who);
    },

    /** Whether a recipient is a logging address of an active person (asked at RCPT TO). */
    async acceptsRecipient(address: string): Promise<boolean> {
      const ok = (await userOf(address)) !== null;
      if (!ok) counts.refusedRecipients += 1;
      return ok;
    },

    /** A message delivered to logging addresses: logged for each whose owner sent it. */
    async receive(envelope: { recipients: string[] }, headers: MailHeaders): Promise<void> {
      counts.received += 1;
      const rules = await log.rules(where!.domain);
      for (const recipient of envelope.recipients) {
        const user = await userOf(recipient);
        if (!user) continue;
        // The address is the person's secret, and the message must be theirs too.
        if (!headers.from || normalizeEmail(headers.from) !== normalizeEmail(user.email)) {
          counts.unknownSender += 1;
          continue;
        }
        // The same message may arrive twice (a relay's retry, a BCC and a forward): its id, or
        // what makes it this message, names the touch, so it is logged once.
        const identity =
          headers.messageId ?? `${headers.from}|${headers.date?.toISOString()}|${headers.subject}`;
        const sent = await log.logEmail(
          user,
          {
            type: 'email_sent',
            parties: log.partiesOf('sent', user, headers, rules),
            subject: headers.subject,
            date: headers.date,
            identity,
          },
          'logging_address',
        );
        counts.logged += sent.logged;
        counts.duplicates += sent.duplicates;
        counts.notALead += sent.notALead;
        // A reply from a lead that the person forwards: the lead's email to them.
        for (const forwarded of headers.forwarded) {
          if (!forwarded.from) continue;
          const received = await log.logEmail(
            user,
            {
              type: 'email_received',
              parties: log.partiesOf('received', user, forwarded, rules),
              subject: forwarded.subject,
              date: forwarded.date,
              identity:
                forwarded.messageId ??
                `${forwarded.from}|${forwarded.date?.toISOString()}|${forwarded.subject}`,
            },
            'logging_address',
          );
          counts.logged += received.logged;
          counts.duplicates += received.duplicates;
        }
        // Mail programs send an invitation twice, as the message's calendar and as invite.ics.
        const seen = new Set<string>();
        for (const text of headers.calendars) {
          let invitation: Invitation | null;
          try {
            invitation = readInvitation(text);
          } catch {
            counts.brokenInvitations += 1;
            continue;
          }
          if (!invitation) continue;
          const key = `${invitation.method}|${invitation.uid}|${invitation.start.toISOString()}`;
          if (seen.has(key)) continue;
          seen.add(key);
          counts.invitations += 1;
          if (invitation.unknownTimeZone) counts.unknownTimeZones += 1;
          const met = await log.logInvitation(user, invitation, rules, 'logging_address');
          counts.meetingsBooked += met.booked;
          counts.notALead += met.notALead;
        }
      }
    },

    /**
     * Meetings booked whose start has passed were held (a cancellation would have come first):
     * each becomes the rep's `meeting_held` at its start, which answers the lead's clocks. Run by
     * the lead flow's sweep; safe to run twice (the touch is named by the meeting).
     */
    async holdPastMeetings(limit = 200): Promise<number> {
      const due = await findPastBookedMeetings(db, toDbTime(clock.now()), limit);
      for (const meeting of due) {
        if (meeting.email) {
          await capture.ingestFrom(
            {
              actor: { kind: 'user', id: meeting.user_id },
              sourceKind: 'mail',
              defaultUserId: meeting.user_id,
            },
            {
              id: `meeting-held:${meeting.id}`,
              type: 'meeting_held',
              occurredAt: fromDbTime(meeting.starts_at).toISOString(),
              email: meeting.email,
              userId: meeting.user_id,
              properties: {
                via: 'logging_address',
                ...(meeting.summary && { subject: meeting.summary.slice(0, 300) }),
              },
            },
          );
          await settle(meeting.contact_id);
        }
        await updateMeeting(db, meeting.id, { status: 'held', updated_at: toDbTime(clock.now()) });
        counts.meetingsHeld += 1;
      }
      return due.length;
    },

    /** Counts what the mailbox sync read and where it failed, beside the logging address's. */
    count(key: SyncCount, by = 1): void {
      counts[key] += by;
    },

    /** A message the listener could not take. */
    refused(why: MailRefusal): void {
      if (why === 'too_large') counts.tooLarge += 1;
      else counts.malformed += 1;
    },
  };
}

export type MailboxService = ReturnType<typeof createMailboxService>;
