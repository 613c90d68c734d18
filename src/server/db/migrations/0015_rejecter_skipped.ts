// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// A rep who just rejected a lead is skipped when it is next routed (unless they own its account):
// a setting of routing, on by default, so a lead no longer bounces back to the rep who sent it back.
export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .alterTable('routing_settings')
    .addColumn('is_rejecter_skipped', pg ? 'boolean' : 'integer', (c) => c.notNull().defaultTo(pg ? true : 1))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('routing_settings').dropColumn('is_rejecter_skipped').execute();
}
