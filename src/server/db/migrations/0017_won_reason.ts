// Frozen: a migration never changes once released and never imports live code.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Why a deal was won, beside why one was lost: win and loss analysis reads both.
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('opportunities').addColumn('won_reason', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('opportunities').dropColumn('won_reason').execute();
}
