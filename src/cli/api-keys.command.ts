import type { Command } from 'commander';
import { CreateApiKeyBody, type ApiKey } from '../contract/api-keys.ts';
import type { Env } from '../server/config.ts';
import { withServices } from './context.ts';
import { checkInput, printTable, UsageError, type Io } from './output.ts';

const cli = { kind: 'cli' } as const;

const row = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  role: k.role,
  prefix: k.prefix,
  lastUsed: k.lastUsedAt ?? '-',
  revoked: k.revokedAt ?? '-',
});

export function registerApiKeysCommand(program: Command, io: Io, env: Env | undefined) {
  const apiKeys = program.command('api-keys').description('Manage API keys for integrations');

  apiKeys
    .command('create')
    .description('Create an API key; the key is printed once')
    .requiredOption('--name <name>', 'what the key is for, e.g. "website forms"')
    .requiredOption('--role <role>', 'the role the key acts with')
    .option('--json', 'print JSON')
    .action(async (options: { name: string; role: string; json?: boolean }) => {
      const input = checkInput(
        CreateApiKeyBody,
        { name: options.name, role: options.role },
        { name: '--name', role: '--role' },
      );
      await withServices(env, async (services) => {
        const created = await services.apiKeys.createApiKey(cli, input);
        if (options.json) return io.out(JSON.stringify(created, null, 2));
        io.out(created.key);
        io.err(`API key ${created.id} (${created.role}) created. Store it now: Baton keeps only its hash.`);
      });
    });

  apiKeys
    .command('list')
    .description('List API keys')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withServices(env, async (services) => {
        const keys = await services.apiKeys.listApiKeys(cli);
        if (options.json) io.out(JSON.stringify(keys, null, 2));
        else printTable(io, keys.map(row));
      });
    });

  apiKeys
    .command('revoke')
    .description('Revoke an API key; requests with it are refused from now on')
    .argument('<id>', 'id of the key')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
        throw new UsageError('<id>: must be the id of an API key, as `baton api-keys list` shows it');
      }
      await withServices(env, async (services) => {
        const key = await services.apiKeys.revokeApiKey(cli, id);
        if (options.json) io.out(JSON.stringify(key, null, 2));
        else printTable(io, [row(key)]);
      });
    });
}
