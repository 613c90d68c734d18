// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// A record deleted (or merged into another) in the CRM: its link is kept, marked removed, so Baton
// neither writes to it again nor makes it anew; reading it again (restored in the CRM) clears it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? ('timestamptz' as const) : ('text' as const);
  await db.schema.alterTable('connection_links').addColumn('removed_at', time).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('connection_links').dropColumn('removed_at').execute();
}
