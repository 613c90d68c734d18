import { createAccountsService } from './modules/accounts/accounts.service.ts';
import { createApiKeysService } from './modules/api-keys/api-keys.service.ts';
import { createAuthService } from './modules/auth/auth.service.ts';
import { createCaptureService } from './modules/capture/capture.service.ts';
import { createImportService } from './modules/capture/import.service.ts';
import { createFormsService } from './modules/forms/forms.service.ts';
import { createContactsService } from './modules/contacts/contacts.service.ts';
import { createNotificationsService } from './modules/notifications/notifications.service.ts';
import { createRoutingService } from './modules/routing/routing.service.ts';
import { createScoringService } from './modules/scoring/scoring.service.ts';
import type { ServiceDeps } from './modules/shared/deps.ts';
import type { EventBus } from './platform/event-bus.ts';
import { createStagesService } from './modules/stages/stages.service.ts';
import { createTeamsService } from './modules/teams/teams.service.ts';
import { createUsersService } from './modules/users/users.service.ts';

/** Every service, built from the same dependencies. Used by the server, the CLI and tests alike. */
export function createServices(deps: ServiceDeps, options: { outboxMaxAttempts?: number } = {}) {
  const capture = createCaptureService(deps);
  const notifications = createNotificationsService(deps, {
    ...(options.outboxMaxAttempts !== undefined && { maxAttempts: options.outboxMaxAttempts }),
  });
  return {
    auth: createAuthService(deps),
    users: createUsersService(deps),
    teams: createTeamsService(deps),
    contacts: createContactsService(deps),
    accounts: createAccountsService(deps),
    stages: createStagesService(deps),
    apiKeys: createApiKeysService(deps),
    capture,
    forms: createFormsService(deps, capture),
    imports: createImportService(deps, capture),
    scoring: createScoringService(deps),
    notifications,
    routing: createRoutingService(deps, notifications),
  };
}

export type Services = ReturnType<typeof createServices>;

/**
 * What reacts to what, in the process that serves requests (not in the scoring thread, which
 * forwards its announcements here): a lead entering `mql` is routed at once.
 */
export function wireReactions(services: Services, events: EventBus): () => void {
  const system = { kind: 'cli' } as const;
  const off = events.subscribe('contact.stage_changed', async (event) => {
    if (event.to === 'mql') await services.routing.routeIfWaiting(system, event.contactId);
  });
  return off;
}
