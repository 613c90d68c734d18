// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// Tasks: the next steps on a lead (a call, a mail, a meeting, anything else) with a due time and
// the person who will take them, shown on the lead's page and in that person's queue.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? ('timestamptz' as const) : ('text' as const);
  const id = pg ? ('uuid' as const) : ('text' as const);
  await db.schema
    .createTable('tasks')
    .addColumn('id', id, (c) => c.primaryKey())
    .addColumn('contact_id', id, (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('assignee_id', id, (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('due_at', time, (c) => c.notNull())
    .addColumn('done_at', time)
    .addColumn('done_by', id, (c) => c.references('users.id'))
    .addColumn('created_by', id, (c) => c.references('users.id'))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  // A person's open tasks, due soonest first (the queue); a lead's tasks (its page).
  await db.schema
    .createIndex('tasks_assignee_open_idx')
    .on('tasks')
    .columns(['assignee_id', 'done_at', 'due_at'])
    .execute();
  await db.schema.createIndex('tasks_contact_idx').on('tasks').columns(['contact_id', 'due_at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('tasks').execute();
}
