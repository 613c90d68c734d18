import type { Command } from 'commander';
import type { Env } from '../server/config.ts';
import { createError } from '../server/modules/shared/errors.ts';
import { withServices } from './context.ts';
import type { Io } from './output.ts';

export function registerSetupCommand(program: Command, io: Io, env: Env | undefined) {
  program
    .command('setup-token')
    .description(
      'A new one-time token for the setup page of an empty Baton (/setup in the browser); earlier tokens stop working',
    )
    .action(async () => {
      await withServices(env, async (services) => {
        const issued = await services.onboarding.issueSetupToken();
        if (!issued)
          throw createError('setup.done', 'Baton is already set up: sign in, or ask an admin to invite you');
        io.out(issued.token);
        io.err(
          `Open /setup in the browser and enter this token; it works once, until ${issued.expiresAt.toISOString()}.`,
        );
      });
    });
}
