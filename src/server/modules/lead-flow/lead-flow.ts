import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { DomainEvent, EventBus } from '../../platform/event-bus.ts';
import { newId } from '../../platform/ids.ts';
import type { Mailer } from '../../platform/mailer.ts';
import { createSmtpMailer } from '../../platform/mailer.ts';
import { startOutboxDispatcher, type OutboxDispatcher } from '../../platform/outbox-dispatcher.ts';
import { startWebhookDispatcher } from '../../platform/webhook-dispatcher.ts';
import { createWebhookSender } from '../../platform/webhook-sender.ts';
import type { Services } from '../../services.ts';
import {
  reassignAfterMiss,
  routeNow,
  routeQueuedLeads,
  routeWaitingMqls,
  type RoutingEngine,
} from '../routing/routing.usecases.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { settleClocks, startClocksForStage, sweepDueClocks } from '../sla/sla.usecases.ts';

/*
 * The lead's journey, from a form to an escalation email, as Baton runs it. Each step is done by
 * an engine function that takes its dependencies by name (`*.usecases.ts`); this module is where
 * they are joined, in the order a lead meets them.
 *
 *  1. Captured   capture.ingest / forms.submit store the touch and the contact in one transaction
 *                and announce `touch.recorded` (capture.service.ts).
 *  2. Scored     the scorer (scoring.worker.ts, in its own thread) picks up contacts whose
 *                activity moved on, scores them and, when one crosses the MQL rule, moves it to
 *                `mql` and announces `contact.stage_changed` (forwarded to this thread).
 *  3. Routed     `contact.stage_changed` to `mql` → routeNow (routing.usecases.ts): account owner,
 *                rules, pool strategy; the decision and its reasons are stored.
 *  4. Clocks     in the assignment's own transaction routing starts the lead's clocks
 *                (startClocksForAssignment, sla.usecases.ts) and queues the rep's email
 *                (queueLeadAssigned, notifications.usecases.ts); a person's stage change starts
 *                the next stage's clocks (`stageEntered` below, in the change's transaction).
 *  5. Answered   a sales touch or a person's decision stops the clocks it answers (settleClocks).
 *  6. Swept      every BATON_SLA_SWEEP_MS the sweep takes the due steps of the ladder: a reminder
 *                at half the window, the first miss to the manager, the second to the director,
 *                then reassignment (sweepDueClocks → reassignAfterMiss). Each step once, in its
 *                own compare-and-set, with its email queued in the same transaction: one digest
 *                per person per sweep, listing every lead.
 *  7. Notified   the outbox dispatcher sends what was queued, over SMTP, with retries
 *                (sendDueMessages, notifications.usecases.ts).
 *
 * Crash safety: nothing here lives only in memory. A reaction lost between a commit and its
 * handler is made good by the sweeps: MQLs without a routing decision are routed on the next
 * half-minute sweep, and the SLA sweep checks the stored history before any escalation.
 */

const system = { kind: 'cli' } as const;

/** The journey's steps, bound to one store, clock and bus. */
export function createLeadFlow({
  db,
  sqlite,
  clock,
  events,
  engine,
}: Pick<ServiceDeps, 'db' | 'sqlite' | 'clock' | 'events'> & { engine: RoutingEngine }) {
  const publish = (announced: readonly DomainEvent[]) => events.publish(announced);
  return {
    /** 3: a lead that became an MQL is routed, once. */
    routeMql: (contactId: string) =>
      routeNow({ db, actor: system, contactId, mode: 'if_waiting', now: clock.now(), publish, engine }),

    /** 3, made good: MQLs a process stored but did not route, and the unassigned queue. */
    routeWaiting: () => routeWaitingMqls({ db, actor: system, clock, publish, engine }),
    routeQueued: () => routeQueuedLeads({ db, actor: system, clock, publish, engine }),

    /** 4: a lead entering a stage with an owner gets that stage's clocks, in the change's transaction. */
    stageEntered: (trx: Db, contactId: string) =>
      startClocksForStage({ trx, contactId, now: clock.now(), calendars: engine.calendars }),

    /** 5: a response or a move stops the clocks it answers. */
    settle: (contactId: string) => settleClocks({ db, contactId, now: clock.now() }),

    /** 6: the due steps of every ladder; a reassignment goes back through routing. */
    sweepClocks(limit?: number) {
      const now = clock.now();
      return sweepDueClocks({
        db,
        sqlite,
        now,
        ...(limit !== undefined && { limit }),
        reassign: (trx, input) => reassignAfterMiss({ trx, ...input, now, engine }),
        publish,
      });
    },
  };
}

export type LeadFlow = ReturnType<typeof createLeadFlow>;

/** The reactions of the journey, on the bus of the process that serves requests. */
export function wireLeadFlow(
  services: Pick<Services, 'leadFlow' | 'agreements'>,
  events: EventBus,
): () => void {
  const flow = services.leadFlow;
  const offs = [
    // 3 and 5: the clocks of the stage the lead left stop (met when a person decided); those of the
    // next stage started in the stage change's transaction, an MQL's when it is assigned.
    events.subscribe('contact.stage_changed', async (event) => {
      await flow.settle(event.contactId);
      if (event.to === 'mql') await flow.routeMql(event.contactId);
    }),
    // 5: a call, email or meeting logged by Sales answers the lead's clocks.
    events.subscribe('touch.recorded', async (event) => {
      if (event.category === 'sales' && event.contactId) await flow.settle(event.contactId);
    }),
    // Not the lead's journey, but a reaction of the same process: a configuration change outside
    // the agreement in force is flagged in the audit log.
    events.subscribe('config.changed', async () => {
      await services.agreements.checkDrift();
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

export interface LeadFlowLog {
  error(fields: { err: unknown }, message: string): void;
  warn(message: string): void;
}

export interface RunningLeadFlow {
  /** Stops the sweeps and the dispatcher after the work in hand. */
  stop(): Promise<void>;
}

/** How often leads waiting for a rep are tried again, and the daily checks are looked at. */
const waitingSweepMs = 30_000;
/** Deals whose attribution credit is refreshed per round of the background (up to ten rounds a sweep). */
const creditPerRound = 1_000;

/**
 * The journey's background loops in a server process: routing what waits (3), the SLA sweep (6)
 * and the outbox (7), plus the daily checks of Marketing's commitments and the plans and the
 * weekly handoff digest. The first routing sweep runs before this resolves.
 */
export async function startLeadFlow(
  services: Services,
  events: EventBus,
  config: Pick<
    Config,
    | 'slaSweepMs'
    | 'smtpUrl'
    | 'mailFrom'
    | 'outboxIntervalMs'
    | 'webhookIntervalMs'
    | 'webhookTimeoutMs'
    | 'mailSyncIntervalSeconds'
  >,
  log: LeadFlowLog,
): Promise<RunningLeadFlow> {
  const attempt = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      log.error({ err: error }, what);
    }
  };

  // 3, made good: MQLs the last process stored but did not route (it died in between), and leads
  // in the unassigned queue as reps become free (a working day began, an absence ended). Marketing's
  // commitments and the plans are judged on the first check of each day; the handoff digest goes
  // out on Monday morning.
  const sweepWaiting = async () => {
    await attempt('routing sweep failed', async () => {
      await services.leadFlow.routeWaiting();
      await services.leadFlow.routeQueued();
    });
    await attempt('checking the commitments failed', () => services.commitments.checkPace());
    await attempt('checking the plans failed', () => services.planning.checkPace());
    await attempt('the weekly handoff digest failed', () => services.handoff.sendWeeklyDigest());
    await attempt('holding past meetings failed', () => services.mailbox.holdPastMeetings());
    await attempt('removing expired audit entries failed', () => services.auditLog.purgeExpired());
    await attempt('applying the retention periods failed', () => services.privacy.applyRetentionDaily());
    // Attribution's kept credit follows the touches and deals written since (a report would
    // otherwise credit its period's stale deals itself, while the user waits).
    await attempt('refreshing the attribution credit failed', async () => {
      // At most ten rounds a sweep, so a large backlog never holds up the next routing sweep.
      for (let round = 0; round < 10; round++)
        if ((await services.attribution.refreshCredit(creditPerRound)) < creditPerRound) break;
    });
    // The handoff tracker's kept fates, the same way.
    await attempt('refreshing the handoff fates failed', async () => {
      for (let round = 0; round < 10; round++)
        if ((await services.handoff.refreshFates(creditPerRound)) < creditPerRound) break;
    });
    // New contacts into the search index (SQLite), the same way: a search would otherwise index
    // them itself first.
    await attempt('indexing new contacts for search failed', async () => {
      for (let round = 0; round < 10; round++)
        if ((await services.contacts.indexPendingSearch(creditPerRound)) < creditPerRound) break;
    });
  };
  await sweepWaiting();
  let waiting: Promise<void> | undefined;
  const waitingTimer = setInterval(() => {
    waiting ??= sweepWaiting().finally(() => (waiting = undefined));
  }, waitingSweepMs);
  waitingTimer.unref();

  // 6: reminders, escalations and reassignments as they fall due. One sweep at a time in this
  // process; each step is taken once even with several instances sweeping.
  let sweeping: Promise<void> | undefined;
  const slaTimer = setInterval(() => {
    sweeping ??= attempt('SLA sweep failed', () => services.leadFlow.sweepClocks()).finally(
      () => (sweeping = undefined),
    );
  }, config.slaSweepMs);
  slaTimer.unref();

  // 7: each process leases messages under its own name, so several instances share one outbox.
  // With no mail server, email waits and chat alerts are still sent.
  let mailer: Mailer | undefined;
  if (config.smtpUrl) mailer = createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom });
  else
    log.warn(
      'Email is off: emails are queued but not sent (chat alerts are). Set BATON_SMTP_URL (and BATON_MAIL_FROM, BATON_PUBLIC_URL) to send them.',
    );
  const owner = `${process.pid}-${newId()}`;
  const dispatcher: OutboxDispatcher = startOutboxDispatcher(
    () => services.notifications.sendDue(mailer ?? null, owner, 10),
    events,
    {
      intervalMs: config.outboxIntervalMs,
      batch: 10,
      onError: (error) => log.error({ err: error }, 'sending the outbox failed'),
    },
  );

  // 8: webhooks, queued with each decision, to the endpoints that subscribe (one worker each).
  const sender = createWebhookSender({ timeoutMs: config.webhookTimeoutMs, maxBodyBytes: 4096 });
  const webhookOwner = `${process.pid}-${newId()}`;
  const webhooks = startWebhookDispatcher(
    {
      fanOut: () => services.webhooks.fanOut(),
      dueEndpoints: () => services.webhooks.dueEndpoints(),
      deliver: (endpointId) => services.webhooks.deliver(sender, webhookOwner, endpointId),
    },
    events,
    {
      intervalMs: config.webhookIntervalMs,
      fanOutBatch: 500,
      wakeOn: [
        'webhook.queued',
        'contact.stage_changed',
        'lead.assigned',
        'lead.unassigned',
        'outbox.queued',
      ],
      onError: (error) => log.error({ err: error }, 'delivering webhooks failed'),
    },
  );

  // 9: people's mailboxes, each read on its schedule by one process at a time (a lease). The
  // check runs ten times per interval, and at least every 5 s for a "sync now".
  const mailOwner = `${process.pid}-${newId()}`;
  let syncing: Promise<void> | undefined;
  const mailTimer = setInterval(
    () => {
      syncing ??= attempt('the mailbox sync failed', () => services.mailboxSync.syncDue(mailOwner)).finally(
        () => (syncing = undefined),
      );
    },
    Math.min(5000, Math.max(100, (config.mailSyncIntervalSeconds * 1000) / 10)),
  );
  mailTimer.unref();

  // 10: the CRM connections, each polled on its schedule by one process at a time (a lease);
  // webhooks bring changes between polls.
  let crmSyncing: Promise<void> | undefined;
  const crmTimer = setInterval(() => {
    crmSyncing ??= attempt('the CRM sync failed', () => services.connectors.syncDue(mailOwner)).finally(
      () => (crmSyncing = undefined),
    );
  }, 5000);
  crmTimer.unref();

  return {
    async stop() {
      clearInterval(waitingTimer);
      clearInterval(slaTimer);
      clearInterval(mailTimer);
      clearInterval(crmTimer);
      await Promise.allSettled([waiting, sweeping, syncing, crmSyncing]);
      await dispatcher.stop();
      await webhooks.stop();
      sender.close();
      mailer?.close();
      // Reactions still running finish before the store they write to is closed.
      await events.settled();
    },
  };
}
