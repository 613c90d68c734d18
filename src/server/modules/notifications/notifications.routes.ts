import { IdParams } from '../../../contract/common.ts';
import { OutboxMessage, OutboxMessageDetail, OutboxPage, OutboxQuery } from '../../../contract/outbox.ts';
import { problemResponses, type App } from '../shared/http.ts';
import { Inbox, InboxQuery } from '../../../contract/inbox.ts';
import type { NotificationsService } from './notifications.service.ts';

/** The email outbox, for admins: what was sent, what waits, what failed and why; send again. */
export function notificationsRoutes(app: App, { notifications }: { notifications: NotificationsService }) {
  app.get(
    '/me/notifications',
    {
      schema: {
        tags: ['me'],
        summary:
          'Your notifications (the bell): the alerts Baton sent you, newest first, and how many are unread',
        querystring: InboxQuery,
        response: { 200: Inbox, ...problemResponses },
      },
    },
    async (request) => notifications.inbox(request.actor, request.query.limit ?? 20),
  );

  app.post(
    '/me/notifications/read',
    {
      schema: {
        tags: ['me'],
        summary: 'Mark your notifications read, up to now',
        response: { 200: Inbox, ...problemResponses },
      },
    },
    async (request) => notifications.markInboxRead(request.actor),
  );

  const tags = ['outbox'];
  app.get(
    '/outbox',
    {
      schema: {
        tags,
        summary: 'List queued and sent emails, newest first, with counts by status',
        querystring: OutboxQuery,
        response: { 200: OutboxPage, ...problemResponses },
      },
    },
    async (request) => notifications.listOutbox(request.actor, request.query),
  );
  app.get(
    '/outbox/:id',
    {
      schema: {
        tags,
        summary: 'One email with its body',
        params: IdParams,
        response: { 200: OutboxMessageDetail, ...problemResponses },
      },
    },
    async (request) => notifications.getOutboxMessage(request.actor, request.params.id),
  );
  app.post(
    '/outbox/:id/retry',
    {
      schema: {
        tags,
        summary: 'Send a dead or cancelled email again, now',
        params: IdParams,
        response: { 200: OutboxMessage, ...problemResponses },
      },
    },
    async (request) => notifications.retryOutboxMessage(request.actor, request.params.id),
  );
  app.post(
    '/outbox/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Stop an email that was not sent yet',
        params: IdParams,
        response: { 200: OutboxMessage, ...problemResponses },
      },
    },
    async (request) => notifications.cancelOutboxMessage(request.actor, request.params.id),
  );
}
