// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// The note Baton writes on a stage change (the MQL rule that fired, a deal opened or won), as a
// code with parameters, so each reader gets it in their own language. The English note stays for
// integrations; notes people write have no message.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const json = pg ? ('jsonb' as const) : ('text' as const);
  await db.schema.alterTable('stage_changes').addColumn('note_message', json).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('stage_changes').dropColumn('note_message').execute();
}
