import { createAccountsService } from './modules/accounts/accounts.service.ts';
import { createApiKeysService } from './modules/api-keys/api-keys.service.ts';
import { createAuthService } from './modules/auth/auth.service.ts';
import { createCaptureService } from './modules/capture/capture.service.ts';
import { createImportService } from './modules/capture/import.service.ts';
import { createFormsService } from './modules/forms/forms.service.ts';
import { createContactsService } from './modules/contacts/contacts.service.ts';
import { createScoringService } from './modules/scoring/scoring.service.ts';
import type { ServiceDeps } from './modules/shared/deps.ts';
import { createStagesService } from './modules/stages/stages.service.ts';
import { createTeamsService } from './modules/teams/teams.service.ts';
import { createUsersService } from './modules/users/users.service.ts';

/** Every service, built from the same dependencies. Used by the server, the CLI and tests alike. */
export function createServices(deps: ServiceDeps) {
  const capture = createCaptureService(deps);
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
  };
}

export type Services = ReturnType<typeof createServices>;
