import { Type } from 'typebox';
import {
  ConnectMailboxBody,
  LoggingAddress,
  MailboxConnection,
  MyMailbox,
  MailLogSettings,
  MailLogStatus,
  UpdateMailLogSettingsBody,
} from '../../../contract/mailbox.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { MailboxSyncService } from './mailbox-sync.service.ts';
import type { MailboxService } from './mailbox.service.ts';

/** Each person's logging address and own mailbox, and what the logging address took. */
export function mailboxRoutes(
  app: App,
  { mailbox, mailboxSync }: { mailbox: MailboxService; mailboxSync: MailboxSyncService },
) {
  const tags = ['mailbox'];

  app.get(
    '/me/mailbox',
    {
      schema: {
        tags,
        summary:
          'Your connected mailbox and its sync: when it last read, what it logged, and why it failed (null when none is connected)',
        response: { 200: MyMailbox, ...problemResponses },
      },
    },
    async (request) => ({ connection: await mailboxSync.find(request.actor) }),
  );

  app.put(
    '/me/mailbox',
    {
      schema: {
        tags,
        summary:
          'Connect your mailbox over IMAP: your email and invitations with leads count as follow-up without logging them. Baton signs in first and saves nothing when it cannot',
        body: ConnectMailboxBody,
        response: { 200: MailboxConnection, ...problemResponses },
      },
    },
    async (request) => mailboxSync.connect(request.actor, request.body),
  );

  app.delete(
    '/me/mailbox',
    {
      schema: {
        tags,
        summary: 'Disconnect your mailbox: its password or token is deleted at once',
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await mailboxSync.disconnect(request.actor);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/me/mailbox/sync',
    {
      schema: {
        tags,
        summary: 'Read your mailbox now rather than at its next turn (within seconds)',
        response: { 200: MailboxConnection, ...problemResponses },
      },
    },
    async (request) => mailboxSync.syncSoon(request.actor),
  );

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
