import type { ConnectMailboxBody, MailboxConnection } from '../../../contract/mailbox.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { normalizeEmail } from '../../../domain/people/normalize.ts';
import { fromDbBool, fromDbTime, fromDbTimeOrNull, toDbTime } from '../../db/dialect.ts';
import type { MailboxConnectionsTable } from '../../db/tables.ts';
import { ImapError, type ImapAccount, type ImapSession, type SyncedMessage } from '../../platform/imap.ts';
import { readInvitation, type Invitation } from '../../platform/invitation.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { createMailLog, type MailLogDeps, type MailPerson, type MailRules } from './mail-log.ts';
import {
  advanceMailboxCursor,
  deleteMailboxConnection,
  findDueMailboxes,
  findMailboxConnection,
  findMailboxCursors,
  findMailboxOwner,
  finishMailboxSync,
  leaseMailbox,
  replaceMailboxConnection,
  requestMailboxSync,
} from './mailbox.repository.ts';
import type { Selectable } from 'kysely';

export interface MailboxSyncOptions {
  /** Signs in to a mailbox (platform/imap.ts with the server's settings; a fake in no test). */
  open: (account: ImapAccount) => Promise<ImapSession>;
  /** How often each mailbox is read. */
  intervalMs: number;
  /** How far back the first sync of a mailbox (or of a folder whose UIDVALIDITY changed) reads. */
  lookbackMs: number;
  /** How long a process holds a mailbox's sync before another may take it over. */
  leaseMs: number;
  /** Messages fetched and logged between two cursor moves. */
  batch: number;
  /** The logging addresses' domain, never a lead's. */
  loggingDomain: string;
  /** Counts for the server's status (the mailbox service's). */
  count: (key: SyncCount, by?: number) => void;
  /** A line for the server's log. */
  warn: (message: string) => void;
}

type ConnectionRow = Selectable<MailboxConnectionsTable>;

/** What the sync adds to the server's mail counts. */
export type SyncCount =
  'mailboxMessagesRead' | 'mailboxSyncFailures' | 'brokenInvitations' | 'unknownTimeZones';

/**
 * A person's own mailbox, read over IMAP on a schedule: what they sent to leads (the Sent folder)
 * is their `email_sent`, which answers the lead's clocks; what leads sent them (the inbox) is
 * `email_received`; invitations in either book meetings. Each folder is read from a cursor
 * (UIDVALIDITY and the last UID), which moves after each batch is logged; a batch read again after
 * a crash logs nothing twice, because each activity is named by its message. Only the subject, the
 * time and the parties are kept, and an excerpt when the company chose so. Credentials are sealed
 * under the server's key; disconnecting deletes them.
 */
export function createMailboxSyncService(
  deps: ServiceDeps,
  logDeps: MailLogDeps,
  options: MailboxSyncOptions,
) {
  const { db, clock, secrets } = deps;
  const log = createMailLog(deps, logDeps);

  const personOf = (who: Actor) => {
    if (who.kind !== 'user') throw createError('auth.forbidden', 'A mailbox belongs to a person: sign in');
    return who.userId;
  };

  const present = async (row: ConnectionRow): Promise<MailboxConnection> => {
    const cursors = await findMailboxCursors(db, row.user_id);
    return {
      host: row.host,
      port: row.port,
      security: row.security as MailboxConnection['security'],
      username: row.username,
      auth: row.auth as MailboxConnection['auth'],
      state: row.state as MailboxConnection['state'],
      lastError: row.last_error,
      lastSyncedAt: fromDbTimeOrNull(row.last_synced_at)?.toISOString() ?? null,
      nextSyncAt: fromDbTime(row.next_sync_at).toISOString(),
      messagesRead: Number(row.messages_read),
      activitiesLogged: Number(row.activities_logged),
      folders: cursors.map((c) => ({
        folder: c.folder as 'inbox' | 'sent',
        path: c.path,
        lastUid: Number(c.last_uid),
      })),
      connectedAt: fromDbTime(row.created_at).toISOString(),
    };
  };

  const accountOf = (row: ConnectionRow): ImapAccount => ({
    host: row.host,
    port: row.port,
    security: row.security as ImapAccount['security'],
    username: row.username,
    auth: row.auth as ImapAccount['auth'],
    secret: secrets.open(row.secret_sealed),
  });

  /** Logs one synced message of a folder for its owner; returns the activities it is on leads as. */
  const logMessage = async (
    person: MailPerson,
    folder: 'inbox' | 'sent',
    message: SyncedMessage,
    rules: MailRules,
  ): Promise<number> => {
    let logged = 0;
    const fromOwner = message.from !== null && normalizeEmail(message.from) === normalizeEmail(person.email);
    // The Sent folder holds what they sent; the inbox what others sent them (their own copies aside).
    const direction = folder === 'sent' ? 'sent' : fromOwner ? null : 'received';
    if (direction) {
      const identity =
        message.messageId ?? `${message.from}|${message.date?.toISOString()}|${message.subject}`;
      const result = await log.logEmail(
        person,
        {
          type: direction === 'sent' ? 'email_sent' : 'email_received',
          parties: log.partiesOf(
            direction,
            person,
            { ...message, cc: [...message.cc, ...message.bcc] },
            rules,
          ),
          subject: message.subject,
          date: message.date,
          identity,
          excerpt: rules.storeExcerpt ? message.excerpt : null,
        },
        'mailbox',
      );
      // Logged now or before (a batch read again after a crash, or the same email BCC'd to the
      // logging address): either way this message is on the lead.
      logged += result.logged + result.duplicates;
    }
    const seen = new Set<string>();
    for (const text of message.calendars) {
      let invitation: Invitation | null;
      try {
        invitation = readInvitation(text);
      } catch (error) {
        options.count('brokenInvitations');
        options.warn(
          `mailbox sync: an invitation in message ${message.uid} of ${person.email}'s ${folder} could not be read (${error instanceof Error ? error.message : String(error)})`,
        );
        continue;
      }
      if (!invitation) continue;
      if (invitation.unknownTimeZone) {
        options.count('unknownTimeZones');
        options.warn(
          `mailbox sync: the invitation in message ${message.uid} of ${person.email}'s ${folder} names a time zone Baton does not know; its time is read as UTC`,
        );
      }
      const key = `${invitation.method}|${invitation.uid}|${invitation.start.toISOString()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      logged += (await log.logInvitation(person, invitation, rules, 'mailbox')).booked;
    }
    return logged;
  };

  /** Reads one mailbox's new messages, as `owner`, who holds its lease. */
  const syncOne = async (userId: string, owner: string): Promise<void> => {
    const row = await findMailboxConnection(db, userId);
    const person = await findMailboxOwner(db, userId);
    if (!row || !person) return;
    // The next turn is an interval after this one began, so mail waits at most one interval.
    const began = clock.now();
    const finish = (error: string | null) => {
      const now = clock.now();
      return finishMailboxSync(db, userId, owner, {
        state: error ? 'failing' : 'syncing',
        last_error: error,
        ...(error === null && { last_synced_at: toDbTime(now) }),
        next_sync_at: toDbTime(
          new Date(Math.max(began.getTime() + options.intervalMs, now.getTime() + 1000)),
        ),
        updated_at: toDbTime(now),
      });
    };
    if (!fromDbBool(person.is_active)) return finish('the person is deactivated: their mailbox is not read');
    let session: ImapSession | null = null;
    try {
      session = await options.open(accountOf(row));
      const folders = await session.folders();
      const cursors = new Map((await findMailboxCursors(db, userId)).map((c) => [c.folder, c]));
      const rules = await log.rules(options.loggingDomain);
      const since = new Date(clock.now().getTime() - options.lookbackMs);
      const plan: ['sent' | 'inbox', string | null][] = [
        ['sent', folders.sent],
        ['inbox', folders.inbox],
      ];
      for (const [folder, path] of plan) {
        if (!path) continue;
        const stored = cursors.get(folder);
        const cursor =
          stored && stored.path === path
            ? { uidValidity: stored.uid_validity, lastUid: Number(stored.last_uid) }
            : null;
        await session.read(
          path,
          cursor,
          { since, batch: options.batch, excerpt: rules.storeExcerpt },
          async (messages, reached) => {
            let logged = 0;
            for (const message of messages) {
              try {
                logged += await logMessage(person, folder, message, rules);
              } catch (error) {
                // One message that cannot be logged never holds up the others; it is told.
                options.warn(
                  `mailbox sync: message ${message.uid} of ${person.email}'s ${folder} was skipped: ${String(error)}`,
                );
              }
            }
            options.count('mailboxMessagesRead', messages.length);
            const held = await advanceMailboxCursor(
              db,
              owner,
              {
                user_id: userId,
                folder,
                path,
                uid_validity: reached.uidValidity,
                last_uid: reached.lastUid,
                updated_at: toDbTime(clock.now()),
              },
              { read: messages.length, logged },
              toDbTime(new Date(clock.now().getTime() + options.leaseMs)),
            );
            if (!held) throw new Error('the sync was taken over by another process');
          },
        );
      }
      await finish(null);
    } catch (error) {
      options.count('mailboxSyncFailures');
      const reason =
        error instanceof ImapError
          ? error.message
          : `the sync failed: ${error instanceof Error ? error.message : String(error)}`;
      options.warn(`mailbox sync of ${person.email} failed: ${reason}`);
      await finish(reason);
    } finally {
      await session?.close();
    }
  };

  return {
    /** The reader's mailbox and its sync's state, or null when they have connected none. */
    async find(actor: Actor | null): Promise<MailboxConnection | null> {
      const userId = personOf(authorize(actor, 'me.read'));
      const row = await findMailboxConnection(db, userId);
      return row ? present(row) : null;
    },

    /** The reader's mailbox and its sync's state. */
    async get(actor: Actor | null): Promise<MailboxConnection> {
      const userId = personOf(authorize(actor, 'me.read'));
      const row = await findMailboxConnection(db, userId);
      if (!row) throw createError('mailbox.not_connected');
      return present(row);
    },

    /**
     * Connects the reader's mailbox: Baton signs in and finds its folders first, and saves
     * nothing when it cannot. The first sync reads what came and went in the lookback period.
     */
    async connect(actor: Actor | null, input: ConnectMailboxBody): Promise<MailboxConnection> {
      const who = authorize(actor, 'me.update');
      const userId = personOf(who);
      const account: ImapAccount = { ...input, host: input.host.toLowerCase() };
      try {
        const session = await options.open(account);
        try {
          await session.folders();
        } finally {
          await session.close();
        }
      } catch (error) {
        if (!(error instanceof ImapError)) throw error;
        const field = error.reason === 'authentication' ? 'secret' : 'host';
        throw fieldError('mailbox.connection_failed', field, error.message);
      }
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await replaceMailboxConnection(trx, {
          user_id: userId,
          host: account.host,
          port: account.port,
          security: account.security,
          username: account.username,
          auth: account.auth,
          secret_sealed: secrets.seal(account.secret),
          state: 'syncing',
          last_error: null,
          last_synced_at: null,
          next_sync_at: toDbTime(now),
          lease_owner: null,
          lease_until: null,
          messages_read: 0,
          activities_logged: 0,
          created_at: toDbTime(now),
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'mailbox.connected',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'user', id: userId },
          payload: { host: account.host, port: account.port, username: account.username, auth: account.auth },
        });
      });
      return this.get(who);
    },

    /** Disconnects the reader's mailbox: the credentials and cursors are deleted at once. */
    async disconnect(actor: Actor | null): Promise<void> {
      const who = authorize(actor, 'me.update');
      const userId = personOf(who);
      await db.transaction().execute(async (trx) => {
        const row = await findMailboxConnection(trx, userId);
        if (!row || !(await deleteMailboxConnection(trx, userId))) throw createError('mailbox.not_connected');
        await insertEvent(trx, {
          type: 'mailbox.disconnected',
          occurredAt: clock.now(),
          actor: actorRef(who),
          subject: { type: 'user', id: userId },
          payload: { host: row.host, username: row.username },
        });
      });
    },

    /** Asks for the reader's mailbox to be read now (within a few seconds). */
    async syncSoon(actor: Actor | null): Promise<MailboxConnection> {
      const who = authorize(actor, 'me.update');
      const userId = personOf(who);
      const row = await findMailboxConnection(db, userId);
      if (!row) throw createError('mailbox.not_connected');
      await requestMailboxSync(db, userId, toDbTime(clock.now()));
      return this.get(who);
    },

    /** Reads the mailboxes that are due, one at a time, as `owner` (one process's name). */
    async syncDue(owner: string, limit = 20): Promise<number> {
      const now = clock.now();
      let synced = 0;
      for (const userId of await findDueMailboxes(db, toDbTime(now), limit)) {
        const until = toDbTime(new Date(clock.now().getTime() + options.leaseMs));
        if (!(await leaseMailbox(db, userId, owner, toDbTime(clock.now()), until))) continue;
        await syncOne(userId, owner);
        synced += 1;
      }
      return synced;
    },
  };
}

export type MailboxSyncService = ReturnType<typeof createMailboxSyncService>;
