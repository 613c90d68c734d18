import { loadConfig, type Config, type Env } from '../server/config.ts';
import { migrateToLatest, type Database } from '../server/db/database.ts';
import { openConfiguredDatabase, servicesFor } from '../server/main.ts';
import type { Services } from '../server/services.ts';

/**
 * Opens the configured store (migrating it first, as `serve` does) and runs a command against the
 * same services the API uses. The command acts as the operator, with admin rights.
 */
export async function withServices<T>(
  env: Env | undefined,
  work: (services: Services, config: Config, database: Database) => Promise<T>,
): Promise<T> {
  const config = loadConfig(env);
  const database = openConfiguredDatabase(config);
  try {
    await migrateToLatest(database.db);
    return await work(servicesFor(database, config), config, database);
  } finally {
    await database.close();
  }
}
