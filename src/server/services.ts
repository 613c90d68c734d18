import { createAuditLogService } from './modules/audit-log/audit-log.service.ts';
import { createMetricsService } from './modules/metrics/metrics.service.ts';
import { createInvitationsService } from './modules/onboarding/invitations.service.ts';
import { createOnboardingService } from './modules/onboarding/onboarding.service.ts';
import { createPrivacyService } from './modules/privacy/privacy.service.ts';
import { createOidcService } from './modules/auth/oidc.service.ts';
import { createAccountsService } from './modules/accounts/accounts.service.ts';
import { createApiKeysService } from './modules/api-keys/api-keys.service.ts';
import { createWebhooksService } from './modules/webhooks/webhooks.service.ts';
import { createChatSender, type ChatSender } from './platform/chat-sender.ts';
import { createAlertsService } from './modules/alerts/alerts.service.ts';
import { createWebhookSender } from './platform/webhook-sender.ts';
import { createOneClickService } from './modules/one-click/one-click.service.ts';
import {
  createAttributionService,
  type AttributionHelper,
} from './modules/attribution/attribution.service.ts';
import { createAgreementsService } from './modules/agreements/agreements.service.ts';
import { createAuthService } from './modules/auth/auth.service.ts';
import { deleteSessionsOfUser } from './modules/auth/auth.repository.ts';
import { createBoardService } from './modules/board/board.service.ts';
import { createBonusService } from './modules/bonus/bonus.service.ts';
import { createPlanningService } from './modules/planning/planning.service.ts';
import { createCaptureService } from './modules/capture/capture.service.ts';
import { createImportService } from './modules/capture/import.service.ts';
import { createFormsService } from './modules/forms/forms.service.ts';
import { createContactsService } from './modules/contacts/contacts.service.ts';
import { createExportsService } from './modules/exports/exports.service.ts';
import { createListsService } from './modules/lists/lists.service.ts';
import { createTasksService } from './modules/tasks/tasks.service.ts';
import { createMailboxService } from './modules/mailbox/mailbox.service.ts';
import { createMailboxSyncService } from './modules/mailbox/mailbox-sync.service.ts';
import { createConnectorsService, type ConnectorOptions } from './modules/connectors/connectors.service.ts';
import { openImap } from './platform/imap.ts';
import { createNotificationsService } from './modules/notifications/notifications.service.ts';
import {
  linksOf,
  queueConnectionProblem,
  queueWebhookDisabled,
} from './modules/notifications/notifications.usecases.ts';
import { fromDbTime } from './db/dialect.ts';
import { createRoutingService } from './modules/routing/routing.service.ts';
import { createScoringService } from './modules/scoring/scoring.service.ts';
import { findContactScoreForExport } from './modules/scoring/scoring.repository.ts';
import { createCommitmentsService } from './modules/sla/commitments.service.ts';
import { createHandoffService } from './modules/handoff/handoff.service.ts';
import { createOpportunitiesService } from './modules/opportunities/opportunities.service.ts';
import { createRecordsImportService } from './modules/opportunities/records-import.service.ts';
import { createImportJobsService } from './modules/imports/import-jobs.service.ts';
import { createSlaService } from './modules/sla/sla.service.ts';
import { createCalendarCache } from './modules/sla/sla.usecases.ts';
import { createLeadFlow } from './modules/lead-flow/lead-flow.ts';
import type { ServiceDeps } from './modules/shared/deps.ts';
import { createStagesService } from './modules/stages/stages.service.ts';
import { createTeamsService } from './modules/teams/teams.service.ts';
import { createUsersService } from './modules/users/users.service.ts';

export interface MailSyncSettings {
  intervalMs: number;
  lookbackMs: number;
  /** Mail servers on private, loopback or reserved addresses may be connected. */
  allowPrivate: boolean;
  /** How long the mail server has to answer. */
  timeoutMs: number;
  leaseMs: number;
  batch: number;
  warn: (message: string) => void;
}

const defaultMailSync: MailSyncSettings = {
  intervalMs: 120_000,
  lookbackMs: 14 * 86_400_000,
  allowPrivate: false,
  timeoutMs: 20_000,
  leaseMs: 120_000,
  batch: 200,
  warn: (message) => process.stderr.write(`${message}\n`),
};

export interface ServicesOptions {
  outboxMaxAttempts?: number;
  outboxLeaseMs?: number;
  webhookLeaseMs?: number;
  /** How long a process holds a CRM connection's sync before another may take it over. */
  crmSyncLeaseMs?: number;
  /** The CRM budgets a connection keeps to (a portal with a larger budget, a bench). */
  connectors?: Partial<
    Pick<ConnectorOptions, 'tenSecondBudget' | 'searchesPerSecond' | 'maxTries' | 'allowPrivate'>
  >;
  attributionHelper?: AttributionHelper;
  /** false: attribution reports credit every deal on each request instead of summing kept credit (tests compare the two). */
  attributionKeptCredit?: boolean;
  /** Where chat alerts go; by default over guarded HTTP with a 10 s limit per message. */
  chat?: ChatSender;
  /** The logging addresses' domain; by default the public URL's host. */
  mailLogDomain?: string;
  /** The mailbox sync's settings (config: BATON_MAIL_SYNC_*). */
  mailSync?: Partial<MailSyncSettings>;
}

/** Every service, built from the same dependencies. Used by the server, the CLI and tests alike. */
export function createServices(deps: ServiceDeps, options: ServicesOptions = {}) {
  const auth = createAuthService(deps);
  const chat =
    options.chat ?? createChatSender(createWebhookSender({ timeoutMs: 10_000, maxBodyBytes: 4096 }));
  const capture = createCaptureService(deps);
  const imports = createImportService(deps, capture);
  const records = createRecordsImportService(deps);
  // The engines of the lead's journey run with the links of emails and the SLA's calendars; the
  // lead flow joins them (modules/lead-flow).
  const engine = { links: linksOf(deps.publicUrl), calendars: createCalendarCache() };
  const leadFlow = createLeadFlow({ ...deps, engine });
  // A lead entering a stage with an owner gets that stage's clocks in the same transaction.
  const contacts = createContactsService(
    deps,
    { onStageChanged: (trx, id) => leadFlow.stageEntered(trx, id) },
    { scoreOf: findContactScoreForExport },
  );
  const notifications = createNotificationsService(deps, {
    chat,
    ...(options.outboxMaxAttempts !== undefined && { maxAttempts: options.outboxMaxAttempts }),
    ...(options.outboxLeaseMs !== undefined && { leaseMs: options.outboxLeaseMs }),
  });
  const routing = createRoutingService(deps, engine);
  const commitments = createCommitmentsService(deps, notifications);
  const sla = createSlaService(deps, commitments, engine.calendars);
  const accounts = createAccountsService(deps);
  const scoring = createScoringService(deps);
  const attribution = createAttributionService(deps, {
    helper: options.attributionHelper,
    ...(options.attributionKeptCredit !== undefined && { keptCredit: options.attributionKeptCredit }),
  });
  // A won deal's credit under the agreed model is stored in the win's transaction.
  const opportunities = createOpportunitiesService(deps, contacts, {
    onWon: (trx, id) => attribution.snapshotIn(trx, id),
  });
  const stages = createStagesService(deps);
  const handoff = createHandoffService(
    deps,
    contacts,
    { accounts, scoring, routing, capture },
    notifications,
  );
  const planning = createPlanningService(deps, notifications);
  const bonus = createBonusService(deps);
  const cli = { kind: 'cli' } as const;
  // The agreement's document is the live configuration, read section by section.
  const agreements = createAgreementsService(deps, {
    stages: () => stages.listStages(cli),
    mqlRule: async () => {
      const active = (await scoring.listModels(cli)).find((m) => m.status === 'active');
      return active
        ? { id: active.id, name: active.name, version: active.version, ...active.definition.mql }
        : null;
    },
    sla: async () => ({
      policies: await sla.listPolicies(cli),
      commitments: await commitments.list(cli, {}),
    }),
    recycle: async () => ({
      settings: await handoff.getSettings(cli),
      reasons: await handoff.listReasons(cli),
    }),
    attribution: () => attribution.getSettings(cli),
    targets: async () => ({
      targets: await planning.currentTargets(),
      plans: (await planning.currentPlans()).map((p) => ({
        id: p.id,
        name: p.name,
        periodKind: p.plan.periodKind,
        periodStart: p.plan.periodStart,
        currency: p.plan.currency,
        revenueTarget: p.plan.revenueTarget,
        needed: Object.fromEntries(p.plan.rows.map((r) => [r.stage, r.needed])),
      })),
    }),
    bonus: () => bonus.currentPlans(),
  });
  const loggingDomain = options.mailLogDomain ?? new URL(deps.publicUrl).hostname;
  const mailbox = createMailboxService(deps, {
    capture,
    contacts,
    settle: (contactId) => leadFlow.settle(contactId),
    where: { localPart: 'log', domain: loggingDomain },
  });
  const sync: MailSyncSettings = { ...defaultMailSync, ...options.mailSync };
  const mailboxSync = createMailboxSyncService(
    deps,
    { capture, contacts, settle: (contactId) => leadFlow.settle(contactId) },
    {
      open: (account) => openImap(account, { allowPrivate: sync.allowPrivate, timeoutMs: sync.timeoutMs }),
      intervalMs: sync.intervalMs,
      lookbackMs: sync.lookbackMs,
      leaseMs: sync.leaseMs,
      batch: sync.batch,
      loggingDomain,
      count: (key, by) => mailbox.count(key, by),
      warn: sync.warn,
    },
  );
  const users = createUsersService(deps, {
    endSessionsOf: deleteSessionsOfUser,
    checkPassword: (email, password, ip) => auth.checkPassword(email, password, ip),
    endOtherSessions: (trx, userId, keep) => auth.endOtherSessions(trx, userId, keep),
  });
  return {
    auth,
    oidc: createOidcService(deps, auth),
    users,
    onboarding: createOnboardingService(deps, {
      addUserIn: (trx, who, input, hash) => users.addUserIn(trx, who, input, hash),
    }),
    invitations: createInvitationsService(deps),
    teams: createTeamsService(deps),
    alerts: createAlertsService(deps, { chat }),
    contacts,
    lists: createListsService(deps, { contacts, routing }),
    tasks: createTasksService(deps),
    exports: createExportsService(deps),
    mailbox,
    mailboxSync,
    connectors: createConnectorsService(
      deps,
      capture,
      opportunities,
      (contactId) => leadFlow.settle(contactId),
      {
        leaseMs: options.crmSyncLeaseMs ?? 120_000,
        maxTries: 8,
        tenSecondBudget: 150,
        searchesPerSecond: 4,
        twoSecondBudget: 16,
        allowPrivate: false,
        warn: sync.warn,
        tellAdmins: async (connection, problem, key) => {
          await queueConnectionProblem({
            trx: deps.db,
            connection,
            problem,
            key,
            now: deps.clock.now(),
            links: engine.links,
          });
        },
        ...options.connectors,
      },
    ),
    accounts,
    stages,
    apiKeys: createApiKeysService(deps),
    oneClick: createOneClickService(deps, handoff, contacts),
    webhooks: createWebhooksService(deps, {
      tellAdmins: (trx, endpoint) =>
        queueWebhookDisabled({
          trx,
          endpoint: {
            id: endpoint.id,
            url: endpoint.url,
            failingSince: fromDbTime(endpoint.failing_since ?? endpoint.updated_at),
            lastError: null,
          },
          now: deps.clock.now(),
          links: engine.links,
        }),
      ...(options.webhookLeaseMs !== undefined && { leaseMs: options.webhookLeaseMs }),
    }),
    capture,
    forms: createFormsService(deps, capture),
    imports,
    scoring,
    notifications,
    routing,
    sla,
    leadFlow,
    commitments,
    handoff,
    opportunities,
    attribution,
    planning,
    bonus,
    agreements,
    board: createBoardService(deps, { planning, sla, attribution }),
    records,
    importJobs: createImportJobsService(deps, { imports, records }),
    auditLog: createAuditLogService(deps),
    metrics: createMetricsService(deps),
    privacy: createPrivacyService(deps, contacts),
  };
}

export type Services = ReturnType<typeof createServices>;
