import type {
  AlertKind,
  AlertRoutes,
  AlertSettings,
  AlertSettingsUpdate,
  AlertTestResult,
  ChatProvider,
} from '../../../contract/alerts.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import {
  addressHint,
  alertKindsOf,
  routeProblems,
  routesWithDefaults,
  withoutChannel,
  type AlertOwner,
} from '../../../domain/alerts/alerts.ts';
import { chatPayload } from '../../../domain/alerts/chat-cards.ts';
import { targetProblem } from '../../../domain/webhooks/webhooks.ts';
import { nameProblem } from '../../platform/webhook-sender.ts';
import { fromDbBool, fromDbTime } from '../../db/dialect.ts';
import type { ChatSender } from '../../platform/chat-sender.ts';
import { newId } from '../../platform/ids.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { findTeamById } from '../teams/teams.repository.ts';
import { findUserById } from '../users/users.repository.ts';
import { findWebhookSettings } from '../webhooks/webhooks.repository.ts';
import { findAlertChannelOf, routesOf, saveAlertChannel, type AlertChannelRow } from './alerts.repository.ts';

const providerName: Record<ChatProvider, string> = { slack: 'Slack', teams: 'Teams' };

/** The test message, in the person's language. */
const testCard = (language: 'en' | 'nl', link: string) =>
  language === 'nl'
    ? {
        title: 'Baton is verbonden',
        sections: [{ heading: null, lines: ['Hier verschijnen de meldingen die je voor dit kanaal kiest.'] }],
        actions: [],
        link: { label: 'Meldingen instellen', href: link },
        footer: 'Baton: marketing en sales, één estafette.',
      }
    : {
        title: 'Baton is connected',
        sections: [{ heading: null, lines: ['The alerts you choose for this channel will appear here.'] }],
        actions: [],
        link: { label: 'Choose alerts', href: link },
        footer: 'Baton: marketing and sales, one relay.',
      };

/**
 * Where a person's and a team's alerts go: the Slack and Teams addresses (sealed, never shown
 * whole again) and the channels of each kind of alert. A person sets their own; a team's manager
 * (or an admin) sets the team's.
 */
export function createAlertsService(deps: ServiceDeps, options: { chat: ChatSender }) {
  const { db, clock, secrets } = deps;
  const allowPrivate = async () => fromDbBool((await findWebhookSettings(db)).allow_private_targets);

  /** Checks a chat address before it is stored, as a webhook's (and https unless private targets are allowed). */
  async function checkAddress(field: string, provider: ChatProvider, url: string): Promise<void> {
    const refuse = (reason: string) => {
      throw fieldError('alerts.invalid_address', field, reason);
    };
    const open = await allowPrivate();
    const problem = targetProblem(url, open);
    if (problem === 'not_a_url') refuse(`is not a valid ${providerName[provider]} webhook address`);
    if (problem === 'has_credentials') refuse('must not hold a user name or password');
    if (problem === 'not_http' || (!open && !url.startsWith('https://'))) refuse('must start with https://');
    if (problem === 'private_address')
      refuse(
        'is a private, loopback or reserved address; an admin may allow such targets in the webhook settings',
      );
    if (open) return;
    const problemOfName = await nameProblem(url);
    if (problemOfName) refuse(problemOfName);
  }

  /** What an owner sees: the kinds of alert they can be sent (a person's by their role), with their channels. */
  function view(
    row: AlertChannelRow | undefined,
    owner: AlertOwner,
    kinds: readonly AlertKind[],
  ): AlertSettings {
    const routes = routesWithDefaults(row ? routesOf(row) : null, owner);
    const hint = (sealed: string | null | undefined) => ({
      configured: Boolean(sealed),
      hint: sealed ? addressHint(secrets.open(sealed)) : null,
    });
    return {
      owner,
      slack: hint(row?.slack_url),
      teams: hint(row?.teams_url),
      routes: Object.fromEntries(kinds.map((kind) => [kind, routes[kind]])),
      updatedAt: row ? fromDbTime(row.updated_at).toISOString() : null,
    };
  }

  async function update(
    who: Actor,
    owner: { userId: string } | { teamId: string },
    input: AlertSettingsUpdate,
    kinds: readonly AlertKind[],
  ): Promise<AlertSettings> {
    const kind: AlertOwner = 'userId' in owner ? 'user' : 'team';
    // A choice for an alert the owner is never sent would be kept and never used: refused.
    const foreign = Object.keys(input.routes ?? {}).filter((k) => !kinds.includes(k as AlertKind));
    if (foreign.length > 0)
      throw createError(
        'alerts.invalid_routes',
        foreign.map((k) => `routes.${k}: is not an alert your role is sent`).join('; '),
        foreign.map((k) => ({ field: `body.routes.${k}`, reason: 'is not an alert your role is sent' })),
      );
    if (input.slackUrl) await checkAddress('slackUrl', 'slack', input.slackUrl);
    if (input.teamsUrl) await checkAddress('teamsUrl', 'teams', input.teamsUrl);
    const now = clock.now();
    return db.transaction().execute(async (trx) => {
      const current = await findAlertChannelOf(trx, owner);
      const slack =
        input.slackUrl === undefined
          ? (current?.slack_url ?? null)
          : input.slackUrl && secrets.seal(input.slackUrl);
      const teams =
        input.teamsUrl === undefined
          ? (current?.teams_url ?? null)
          : input.teamsUrl && secrets.seal(input.teamsUrl);
      let routes: AlertRoutes = {
        ...routesWithDefaults(current ? routesOf(current) : null, kind),
        ...input.routes,
      };
      // Removing an address removes its chat from every kind it was chosen for.
      if (!slack && input.routes === undefined) routes = withoutChannel(routes, 'slack');
      if (!teams && input.routes === undefined) routes = withoutChannel(routes, 'teams');
      const problems = routeProblems(routes, { owner: kind, slack: Boolean(slack), teams: Boolean(teams) });
      if (problems.length > 0)
        throw createError(
          'alerts.invalid_routes',
          problems.map((p) => `${p.field}: ${p.reason}`).join('; '),
          problems.map((p) => ({ field: `body.${p.field}`, reason: p.reason })),
        );
      await saveAlertChannel(trx, {
        id: current?.id ?? newId(),
        user_id: 'userId' in owner ? owner.userId : null,
        team_id: 'teamId' in owner ? owner.teamId : null,
        slack_url: slack || null,
        teams_url: teams || null,
        routes,
        updated_by: who.kind === 'user' ? who.userId : null,
        at: now,
      });
      await insertEvent(trx, {
        type: 'alerts.changed',
        occurredAt: now,
        actor: actorRef(who),
        subject: 'userId' in owner ? { type: 'user', id: owner.userId } : { type: 'team', id: owner.teamId },
        // Which addresses changed, never the addresses: each is a secret that lets anyone post.
        payload: {
          ...(input.slackUrl !== undefined && { slack: input.slackUrl === null ? 'removed' : 'set' }),
          ...(input.teamsUrl !== undefined && { teams: input.teamsUrl === null ? 'removed' : 'set' }),
          routes,
        },
      });
      return view(await findAlertChannelOf(trx, owner), kind, kinds);
    });
  }

  async function test(
    owner: { userId: string } | { teamId: string },
    provider: ChatProvider,
    language: 'en' | 'nl',
  ): Promise<AlertTestResult> {
    const row = await findAlertChannelOf(db, owner);
    const sealed = provider === 'slack' ? row?.slack_url : row?.teams_url;
    if (!sealed)
      throw fieldError('alerts.no_address', 'channel', `${providerName[provider]} has no address yet`);
    const link = `${deps.publicUrl.replace(/\/+$/, '')}/profile`;
    try {
      await options.chat.send({
        provider,
        url: secrets.open(sealed),
        payload: chatPayload(provider, testCard(language, link)),
        allowPrivate: await allowPrivate(),
      });
      return { ok: true, status: null, error: null };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const status = /answered (\d{3})/.exec(message)?.[1];
      return { ok: false, status: status ? Number(status) : null, error: message };
    }
  }

  /** The team, if the actor may set its alerts: its manager, or an admin. */
  async function manageableTeam(actor: Actor | null, teamId: string) {
    const who = authorize(actor, 'me.update');
    const team = await findTeamById(db, teamId);
    if (!team) throw createError('teams.not_found');
    const isManager = who.kind === 'user' && team.manager_id === who.userId;
    if (!isManager && (who.kind === 'cli' ? false : who.role !== 'admin'))
      throw createError('auth.forbidden', "Only the team's manager or an admin sets a team's alerts");
    return { who, team };
  }

  const me = (actor: Actor | null, action: 'me.read' | 'me.update') => {
    const who = authorize(actor, action);
    if (who.kind !== 'user') throw createError('auth.forbidden', 'Only a signed-in user has alert channels');
    return who;
  };

  return {
    async mine(actor: Actor | null): Promise<AlertSettings> {
      const who = me(actor, 'me.read');
      return view(await findAlertChannelOf(db, { userId: who.userId }), 'user', alertKindsOf(who.role));
    },

    async updateMine(actor: Actor | null, input: AlertSettingsUpdate): Promise<AlertSettings> {
      const who = me(actor, 'me.update');
      return update(who, { userId: who.userId }, input, alertKindsOf(who.role));
    },

    async testMine(actor: Actor | null, provider: ChatProvider): Promise<AlertTestResult> {
      const who = me(actor, 'me.update');
      const user = await findUserById(db, who.userId);
      return test({ userId: who.userId }, provider, user?.language === 'nl' ? 'nl' : 'en');
    },

    async ofTeam(actor: Actor | null, teamId: string): Promise<AlertSettings> {
      await manageableTeam(actor, teamId);
      return view(await findAlertChannelOf(db, { teamId }), 'team', alertKindsOf('team'));
    },

    async updateTeam(
      actor: Actor | null,
      teamId: string,
      input: AlertSettingsUpdate,
    ): Promise<AlertSettings> {
      const { who } = await manageableTeam(actor, teamId);
      return update(who, { teamId }, input, alertKindsOf('team'));
    },

    async testTeam(actor: Actor | null, teamId: string, provider: ChatProvider): Promise<AlertTestResult> {
      const { who } = await manageableTeam(actor, teamId);
      const user = who.kind === 'user' ? await findUserById(db, who.userId) : undefined;
      return test({ teamId }, provider, user?.language === 'nl' ? 'nl' : 'en');
    },
  };
}

export type AlertsService = ReturnType<typeof createAlertsService>;
