import { LoggingAddress, MailLogStatus } from '../../../contract/mailbox.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { MailboxService } from './mailbox.service.ts';

/** Each person's logging address, and what the logging address took. */
export function mailboxRoutes(app: App, { mailbox }: { mailbox: MailboxService }) {
  const tags = ['mailbox'];

  app.get(
    '/me/logging-address',
    {
      schema: {
        tags,
        summary:
          'Your logging address: BCC it on your email with leads (or forward to it) and the email counts as follow-up',
        response: { 200: LoggingAddress, ...problemResponses },
      },
    },
    async (request) => mailbox.myLoggingAddress(request.actor),
  );

  app.post(
    '/me/logging-address/renew',
    {
      schema: {
        tags,
        summary: 'A new logging address for you; the old one stops working at once',
        response: { 200: LoggingAddress, ...problemResponses },
      },
    },
    async (request) => mailbox.renewLoggingAddress(request.actor),
  );

  app.get(
    '/mailbox/logging-status',
    {
      schema: {
        tags,
        summary: 'What the logging address received, logged, dropped and refused since the server started',
        response: { 200: MailLogStatus, ...problemResponses },
      },
    },
    async (request) => mailbox.status(request.actor),
  );
}
