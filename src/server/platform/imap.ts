import { lookup } from 'node:dns/promises';
import type { FetchMessageObject, MessageStructureObject } from 'imapflow';
import { isPublicAddress, literalAddress } from '../../domain/webhooks/webhooks.ts';

/** How Baton reaches a mailbox. */
export interface ImapAccount {
  host: string;
  port: number;
  /** tls: IMAPS from the first byte; starttls: upgraded after the greeting; none: plain text. */
  security: 'tls' | 'starttls' | 'none';
  username: string;
  auth: 'password' | 'oauth2';
  /** The password, or the OAuth 2 access token (XOAUTH2). */
  secret: string;
}

/** What Baton reads of a synced message: its parties, never its body (an excerpt when asked). */
export interface SyncedMessage {
  uid: number;
  from: string | null;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string | null;
  date: Date | null;
  messageId: string | null;
  /** The calendar parts as text (invitations), each to its cap. */
  calendars: string[];
  /** The first words of the text, when asked for. */
  excerpt: string | null;
}

/** A folder's position: its UIDVALIDITY and the last UID read. */
export interface FolderCursor {
  uidValidity: string;
  lastUid: number;
}

/** Why a mailbox could not be read, in words for its owner. */
export class ImapError extends Error {
  constructor(
    readonly reason: 'refused_address' | 'unreachable' | 'authentication' | 'protocol',
    message: string,
  ) {
    super(message);
  }
}

const maxCalendarBytes = 256 * 1024;
const excerptBytes = 2048;
const excerptChars = 240;

function addresses(list: { address?: string | undefined }[] | undefined): string[] {
  return (list ?? []).map((a) => a.address).filter((a): a is string => Boolean(a));
}

/** The parts of a body structure that hold invitations, and the first plain-text part. */
function partsOf(structure: MessageStructureObject | undefined): {
  calendars: string[];
  text: string | null;
} {
  const calendars: string[] = [];
  let text: string | null = null;
  const walk = (node: MessageStructureObject) => {
    const type = node.type?.toLowerCase();
    const filename = node.dispositionParameters?.filename ?? node.parameters?.name ?? '';
    const part = node.part ?? '1';
    if (type === 'text/calendar' || type === 'application/ics' || /\.ics$/i.test(filename))
      calendars.push(part);
    else if (type === 'text/plain' && text === null && node.disposition !== 'attachment') text = part;
    for (const child of node.childNodes ?? []) walk(child);
  };
  if (structure) walk(structure);
  return { calendars: calendars.slice(0, 5), text };
}

async function checkHost(host: string, allowPrivate: boolean): Promise<string> {
  const literal = literalAddress(host);
  const candidates =
    literal !== null ? [literal] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (candidates.length === 0) throw new ImapError('unreachable', `the name ${host} does not resolve`);
  if (!allowPrivate && candidates.some((a) => !isPublicAddress(a)))
    throw new ImapError(
      'refused_address',
      `${host} is a private, loopback or reserved address; the server's administrator may allow such mail servers (BATON_MAIL_SYNC_ALLOW_PRIVATE)`,
    );
  // Connect to the address just checked, so the name cannot turn private in between.
  return candidates[0]!;
}

export interface ImapSession {
  /** The folders to read: the inbox, and the folder the server marks as \Sent (or one named so). */
  folders(): Promise<{ inbox: string; sent: string | null }>;
  /**
   * Reads a folder after its cursor, `batch` messages at a time, oldest first, handing each batch
   * to `take` with the cursor it reaches. With no cursor, or a UIDVALIDITY that changed, it reads
   * the messages since `since`.
   */
  read(
    path: string,
    cursor: FolderCursor | null,
    options: { since: Date; batch: number; excerpt: boolean },
    take: (messages: SyncedMessage[], reached: FolderCursor) => Promise<void>,
  ): Promise<void>;
  close(): Promise<void>;
}

/** Signs in to a mailbox over IMAP (imapflow). Private addresses are refused unless allowed. */
export async function openImap(
  account: ImapAccount,
  options: { allowPrivate: boolean; timeoutMs: number },
): Promise<ImapSession> {
  const address = await checkHost(account.host, options.allowPrivate);
  // The client is loaded at the first sync, not with every start of Baton.
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    host: address,
    port: account.port,
    secure: account.security === 'tls',
    doSTARTTLS: account.security === 'starttls' ? true : account.security === 'none' ? false : undefined,
    ...(literalAddress(account.host) === null && { servername: account.host }),
    auth:
      account.auth === 'oauth2'
        ? { user: account.username, accessToken: account.secret }
        : { user: account.username, pass: account.secret },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs * 4,
  });
  // A dropped connection is reported through the command that was running; not as a crash.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    const e = error as { authenticationFailed?: boolean; code?: string; message?: string };
    if (e.authenticationFailed || e.code === 'AUTHENTICATIONFAILED')
      throw new ImapError('authentication', 'the server refused the user name or password (or token)');
    throw new ImapError(
      'unreachable',
      `could not reach ${account.host}:${account.port}: ${e.message ?? String(error)}`,
    );
  }

  return {
    async folders() {
      const list = await client.list();
      const sent =
        list.find((m) => m.specialUse === '\\Sent') ??
        list.find((m) => /^(sent|sent items|sent mail|verzonden items|verzonden)$/i.test(m.name));
      return { inbox: 'INBOX', sent: sent?.path ?? null };
    },

    async read(path, cursor, { since, batch, excerpt }, take) {
      const lock = await client.getMailboxLock(path, { readOnly: true });
      try {
        const opened = client.mailbox;
        if (!opened) throw new ImapError('protocol', `could not open ${path}`);
        const uidValidity = String(opened.uidValidity);
        const fresh = cursor === null || cursor.uidValidity !== uidValidity;
        const found = fresh
          ? await client.search({ since }, { uid: true })
          : await client.search({ uid: `${cursor.lastUid + 1}:*` }, { uid: true });
        // `n:*` names the last message even when its UID is below n.
        const after = fresh ? 0 : cursor.lastUid;
        const uids = (found || []).filter((uid) => uid > after).sort((a, b) => a - b);
        if (fresh && uids.length === 0) {
          await take([], { uidValidity, lastUid: Math.max(0, Number(opened.uidNext ?? 1) - 1) });
          return;
        }
        for (let i = 0; i < uids.length; i += batch) {
          const chunk = uids.slice(i, i + batch);
          const fetched: FetchMessageObject[] = await client.fetchAll(
            chunk.join(','),
            { uid: true, envelope: true, bodyStructure: true },
            { uid: true },
          );
          const messages: SyncedMessage[] = [];
          for (const message of fetched) {
            const envelope = message.envelope;
            const parts = partsOf(message.bodyStructure);
            const calendars: string[] = [];
            for (const part of parts.calendars) {
              const { content } = await client.download(String(message.uid), part, {
                uid: true,
                maxBytes: maxCalendarBytes,
              });
              const chunks: Buffer[] = [];
              if (content) for await (const piece of content) chunks.push(piece as Buffer);
              calendars.push(Buffer.concat(chunks).toString('utf8'));
            }
            let text: string | null = null;
            if (excerpt && parts.text) {
              const { content } = await client.download(String(message.uid), parts.text, {
                uid: true,
                maxBytes: excerptBytes,
              });
              const chunks: Buffer[] = [];
              if (content) for await (const piece of content) chunks.push(piece as Buffer);
              text = Buffer.concat(chunks)
                .toString('utf8')
                .replace(/\s+/g, ' ')
                .trim()
                .slice(0, excerptChars);
            }
            const date = envelope?.date ? new Date(envelope.date) : null;
            messages.push({
              uid: message.uid,
              from: addresses(envelope?.from)[0] ?? null,
              to: addresses(envelope?.to),
              cc: addresses(envelope?.cc),
              bcc: addresses(envelope?.bcc),
              subject: envelope?.subject ?? null,
              date: date && !Number.isNaN(date.getTime()) ? date : null,
              messageId: envelope?.messageId ?? null,
              calendars,
              excerpt: text || null,
            });
          }
          messages.sort((a, b) => a.uid - b.uid);
          await take(messages, { uidValidity, lastUid: chunk[chunk.length - 1]! });
        }
      } finally {
        lock.release();
      }
    },

    async close() {
      await client.logout().catch(() => client.close());
    },
  };
}
