// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// A list's saved views: a person's search, filters and columns under a name, for themselves or
// shared with everyone who sees the list (who still see only the records they may).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? ('timestamptz' as const) : ('text' as const);
  const id = pg ? ('uuid' as const) : ('text' as const);
  const json = pg ? ('jsonb' as const) : ('text' as const);
  const bool = pg ? ('boolean' as const) : ('integer' as const);
  await db.schema
    .createTable('saved_views')
    .addColumn('id', id, (c) => c.primaryKey())
    .addColumn('owner_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('list', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('state', json, (c) => c.notNull())
    .addColumn('is_shared', bool, (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .addUniqueConstraint('saved_views_owner_list_name', ['owner_id', 'list', 'name'])
    .execute();
  await db.schema
    .createIndex('saved_views_list_idx')
    .on('saved_views')
    .columns(['list', 'is_shared'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('saved_views').execute();
}
