import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtpServer {
  /** smtp://127.0.0.1:<port>, for BATON_SMTP_URL or createSmtpMailer. */
  url: string;
  /** Every message accepted so far, parsed, in the order received. */
  received: ParsedMail[];
  /** Resolves once `count` messages in all have been accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (the `smtp-server` package), for tests that send email.
 * `answer` may refuse a message (by its 1-based arrival number) with an SMTP reply code.
 */
export async function startTestSmtpServer(
  options: { answer?: (attempt: number) => { code: number; message: string } | null } = {},
): Promise<TestSmtpServer> {
  const received: ParsedMail[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      attempts += 1;
      const refusal = options.answer?.(attempts) ?? null;
      simpleParser(stream)
        .then((mail) => {
          if (refusal) {
            callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
            return;
          }
          received.push(mail);
          callback();
          for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve();
        })
        .catch((error: unknown) => callback(error as Error));
    },
  });
  // A client killed mid-conversation (the failover tests kill Baton with SIGKILL) resets its
  // connection; that is the point of those tests, not an error of the server.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET') throw error;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    waitFor(count, timeoutMs = 30_000) {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} emails, received ${received.length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received);
          },
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
