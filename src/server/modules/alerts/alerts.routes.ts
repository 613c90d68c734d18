import { IdParams } from '../../../contract/common.ts';
import { AlertSettings, AlertSettingsUpdate, AlertTest, AlertTestResult } from '../../../contract/alerts.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { AlertsService } from './alerts.service.ts';

/** Where a person's and a team's alerts go: email, Slack, Teams, per kind of alert. */
export function alertsRoutes(app: App, { alerts }: { alerts: AlertsService }) {
  app.get(
    '/me/alerts',
    {
      schema: {
        tags: ['me'],
        summary:
          'Your alert channels: the Slack and Teams addresses (shown as a hint) and the channels of each kind',
        response: { 200: AlertSettings, ...problemResponses },
      },
    },
    async (request) => alerts.mine(request.actor),
  );

  app.put(
    '/me/alerts',
    {
      schema: {
        tags: ['me'],
        summary: 'Set your Slack and Teams addresses and choose the channels of each kind of alert',
        body: AlertSettingsUpdate,
        response: { 200: AlertSettings, ...problemResponses },
      },
    },
    async (request) => alerts.updateMine(request.actor, request.body),
  );

  app.post(
    '/me/alerts/test',
    {
      schema: {
        tags: ['me'],
        summary: 'Post a test message to your Slack or Teams channel now, and say how it went',
        body: AlertTest,
        response: { 200: AlertTestResult, ...problemResponses },
      },
    },
    async (request) => alerts.testMine(request.actor, request.body.channel),
  );

  app.get(
    '/teams/:id/alerts',
    {
      schema: {
        tags: ['teams'],
        summary: "A team's alert channels (its manager or an admin)",
        params: IdParams,
        response: { 200: AlertSettings, ...problemResponses },
      },
    },
    async (request) => alerts.ofTeam(request.actor, request.params.id),
  );

  app.put(
    '/teams/:id/alerts',
    {
      schema: {
        tags: ['teams'],
        summary:
          "Set a team's Slack and Teams addresses and the kinds of its members' alerts posted there (its manager or an admin)",
        params: IdParams,
        body: AlertSettingsUpdate,
        response: { 200: AlertSettings, ...problemResponses },
      },
    },
    async (request) => alerts.updateTeam(request.actor, request.params.id, request.body),
  );

  app.post(
    '/teams/:id/alerts/test',
    {
      schema: {
        tags: ['teams'],
        summary: "Post a test message to a team's Slack or Teams channel now (its manager or an admin)",
        params: IdParams,
        body: AlertTest,
        response: { 200: AlertTestResult, ...problemResponses },
      },
    },
    async (request) => alerts.testTeam(request.actor, request.params.id, request.body.channel),
  );
}
