import {
  LoggingAddress,
  MailLogSettings,
  MailLogStatus,
  UpdateMailLogSettingsBody,
} from '../../../contract/mailbox.ts';
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

  app.get(
    '/mailbox/settings',
    {
      schema: {
        tags,
        summary: 'The domains never logged from mail, beside the company’s own',
        response: { 200: MailLogSettings, ...problemResponses },
      },
    },
    async (request) => mailbox.getSettings(request.actor),
  );

  app.put(
    '/mailbox/settings',
    {
      schema: {
        tags,
        summary: 'Set the domains never logged from mail (private mail providers, say)',
        body: UpdateMailLogSettingsBody,
        response: { 200: MailLogSettings, ...problemResponses },
      },
    },
    async (request) => mailbox.updateSettings(request.actor, request.body),
  );
}
