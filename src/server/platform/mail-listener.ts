import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { MailParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { forwardedIn } from '../../domain/mailbox/forwarded.ts';

/** A message forwarded inside another: attached (message/rfc822) or quoted inline. */
export interface ForwardedHeaders {
  from: string | null;
  to: string[];
  cc: string[];
  subject: string | null;
  date: Date | null;
  messageId: string | null;
}

/** What Baton reads of a message: its headers, never its body or attachments. */
export interface MailHeaders {
  from: string | null;
  to: string[];
  cc: string[];
  subject: string | null;
  date: Date | null;
  messageId: string | null;
  /** The calendar parts (text/calendar, .ics) as text: invitations to read. */
  calendars: string[];
  /** The messages it forwards: attached ones, or else the one quoted in its text. */
  forwarded: ForwardedHeaders[];
}

/** The most calendar text one message may carry, per part, and the parts read. */
const maxCalendarBytes = 256 * 1024;
const maxCalendars = 5;
const maxForwarded = 5;
const isCalendar = (contentType: string | undefined, filename: string | undefined) =>
  contentType === 'text/calendar' || contentType === 'application/ics' || /\.ics$/i.test(filename ?? '');

/** Why a message was not taken. */
export type MailRefusal = 'too_large' | 'malformed';

export interface MailListener {
  port: number;
  close(): Promise<void>;
}

/** An SMTP answer with its reply code. */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

function addressesOf(value: unknown): string[] {
  const objects = (Array.isArray(value) ? value : value ? [value] : []) as AddressObject[];
  const out: string[] = [];
  const walk = (entries: AddressObject['value']) => {
    for (const entry of entries) {
      if (entry.address) out.push(entry.address);
      if (entry.group) walk(entry.group);
    }
  };
  for (const object of objects) if (object && Array.isArray(object.value)) walk(object.value);
  return out;
}

/**
 * Reads a message's headers as it streams in. Parts (text, attachments) are drained as they come,
 * never kept, so a message of any size costs the memory of its headers.
 */
export function readMailHeaders(stream: Readable): Promise<MailHeaders> {
  return new Promise((resolve, reject) => {
    const parser = new MailParser({ skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
    let headers: MailHeaders | null = null;
    const calendars: string[] = [];
    const forwarded: ForwardedHeaders[] = [];
    const attached: Promise<void>[] = [];
    let quoted: ForwardedHeaders | null = null;
    parser.on('headers', (map: Map<string, unknown>) => {
      const date = map.get('date');
      const subject = map.get('subject');
      const messageId = map.get('message-id');
      headers = {
        from: addressesOf(map.get('from'))[0] ?? null,
        to: addressesOf(map.get('to')),
        cc: addressesOf(map.get('cc')),
        subject: typeof subject === 'string' ? subject : null,
        date: date instanceof Date && !Number.isNaN(date.getTime()) ? date : null,
        messageId: typeof messageId === 'string' ? messageId : null,
        calendars,
        forwarded,
      };
    });
    parser.on(
      'data',
      (part: {
        type: string;
        content?: Readable;
        contentType?: string;
        filename?: string;
        text?: string;
        release?: () => void;
      }) => {
        if (part.type === 'text') {
          const found = part.text ? forwardedIn(part.text) : null;
          if (found) quoted = { ...found, date: null, messageId: null };
          return;
        }
        if (part.type !== 'attachment') return;
        // A forward as an attachment: the attached message's own headers (it is read as it streams).
        if (part.contentType === 'message/rfc822' && part.content && forwarded.length < maxForwarded) {
          attached.push(
            readMailHeaders(part.content)
              .then((inner) => {
                forwarded.push({
                  from: inner.from,
                  to: inner.to,
                  cc: inner.cc,
                  subject: inner.subject,
                  date: inner.date,
                  messageId: inner.messageId,
                });
              })
              .catch(() => {})
              .finally(() => part.release?.()),
          );
          return;
        }
        // A calendar part is kept (to its cap); every other part is drained as it streams.
        const keep = isCalendar(part.contentType, part.filename) && calendars.length < maxCalendars;
        const chunks: Buffer[] = [];
        let size = 0;
        part.content?.on('data', (chunk: Buffer) => {
          if (!keep || size > maxCalendarBytes) return;
          size += chunk.length;
          chunks.push(chunk);
        });
        part.content?.on('end', () => {
          if (keep && size <= maxCalendarBytes) calendars.push(Buffer.concat(chunks).toString('utf8'));
          part.release?.();
        });
      },
    );
    parser.on('error', reject);
    parser.on('end', () => {
      if (!headers) return reject(new Error('no headers'));
      const done = headers;
      void Promise.all(attached).then(() => {
        // A quoted forward counts only when nothing was attached (the attachment is the original).
        if (forwarded.length === 0 && quoted) forwarded.push(quoted);
        resolve(done);
      });
    });
    stream.on('error', reject);
    stream.pipe(parser);
  });
}

/**
 * Baton's own SMTP listener for the logging address. A recipient is taken only when `accepts`
 * says it is a logging address; a message larger than `maxBytes` is refused (announced in EHLO,
 * checked while it streams). `onMessage` runs before the answer, so a 250 means it was handled.
 */
export async function startMailListener(options: {
  host: string;
  port: number;
  maxBytes: number;
  accepts: (address: string) => Promise<boolean>;
  onMessage: (envelope: { recipients: string[] }, headers: MailHeaders) => Promise<void>;
  onRefused: (why: MailRefusal, detail: string) => void;
  onError: (error: unknown) => void;
}): Promise<MailListener> {
  const server = new SMTPServer({
    authOptional: true,
    // Reachable only as the logging domain's MX; TLS ends at the relay in front of it (see README).
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.maxBytes,
    logger: false,
    banner: 'Baton logging address',
    onRcptTo(address, _session, callback) {
      options
        .accepts(address.address)
        .then((ok) => callback(ok ? null : smtpError(550, 'No such logging address')))
        .catch((error: unknown) => {
          options.onError(error);
          callback(smtpError(451, 'Try again later'));
        });
    },
    onData(stream, session, callback) {
      readMailHeaders(stream).then(
        async (headers) => {
          if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
            options.onRefused('too_large', `more than ${options.maxBytes} bytes`);
            callback(smtpError(552, `Message larger than ${options.maxBytes} bytes`));
            return;
          }
          try {
            await options.onMessage({ recipients: session.envelope.rcptTo.map((r) => r.address) }, headers);
            callback();
          } catch (error) {
            // The store failed: the relay keeps the message and sends it again later.
            options.onError(error);
            callback(smtpError(451, 'Try again later'));
          }
        },
        (error: unknown) => {
          // The rest of a message that could not be read is drained, so the session can go on;
          // it is taken and dropped, or the relay would send it again and again.
          stream.resume();
          options.onRefused('malformed', error instanceof Error ? error.message : String(error));
          callback();
        },
      );
    },
  });
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET') options.onError(error);
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
