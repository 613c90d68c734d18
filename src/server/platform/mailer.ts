import { createTransport } from 'nodemailer';

export interface OutgoingEmail {
  /** Baton's id for the message; it becomes the Message-ID, so a resend is recognisably the same. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  language: string;
}

/** A refusal that will not change by trying again (an SMTP 5xx: no such mailbox, rejected, …). */
export class PermanentMailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMailError';
  }
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string | null }>;
  close(): void;
}

/** The domain Message-IDs are made in: the sender's. */
function messageDomain(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return address.split('@')[1]?.trim() || 'baton.invalid';
}

/**
 * Sends over SMTP with nodemailer, on a small pool of reused connections.
 * `url` is an smtp:// or smtps:// URL with the user and password in it when the server needs them.
 */
export function createSmtpMailer(options: { url: string; from: string }): Mailer {
  const url = new URL(options.url);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  const transport = createTransport(url.toString(), { from: options.from });
  const domain = messageDomain(options.from);
  return {
    async send(email) {
      try {
        const info = await transport.sendMail({
          to: email.to,
          subject: email.subject,
          text: email.text,
          ...(email.html !== null && { html: email.html }),
          messageId: `<${email.id}@${domain}>`,
          headers: { 'Content-Language': email.language, 'Auto-Submitted': 'auto-generated' },
        });
        return { messageId: typeof info.messageId === 'string' ? info.messageId : null };
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        if (typeof code === 'number' && code >= 500 && code < 600)
          throw new PermanentMailError((error as Error).message);
        throw error;
      }
    },
    close() {
      transport.close();
    },
  };
}
