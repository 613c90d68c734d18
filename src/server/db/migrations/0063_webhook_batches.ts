// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Webhook events queued by a transaction as one row (issue 27): the outbox of a decision is a
// handful of rows however many events it queues. The SLA sweep of 10,000 due clocks wrote 10,000
// messages, four b-tree entries each (table, key, waiting and contact indexes), in the sweep's
// transaction: about a third of its time. The dispatcher turns each batch into its messages and
// their deliveries later, exactly once: it deletes the batch in the same transaction.
//
// `id` is a UUIDv7 (batches are taken oldest first); `events` is a JSON array of
// { type, occurredAt (ISO), data }, as `queueWebhooks` wrote them.
// `down` turns the batches still waiting into messages, so that none is lost.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('webhook_batches')
    .addColumn('id', pg ? 'uuid' : 'text', (c) => c.primaryKey())
    .addColumn('events', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const batches = (await db
    .selectFrom('webhook_batches')
    .select(['id', 'events'])
    .orderBy('id')
    .execute()) as { id: string; events: string }[];
  let n = 0;
  for (const batch of batches) {
    const events = JSON.parse(batch.events) as {
      type: string;
      occurredAt: string;
      data: Record<string, unknown>;
    }[];
    for (const event of events) {
      const contactId = typeof event.data.contactId === 'string' ? event.data.contactId : null;
      // A message id as the live code makes one: `msg_` and a UUID; ordered after older messages.
      const id = `msg_${batch.id.slice(0, 24)}${String(n++).padStart(12, '0')}`;
      const at = pg ? sql`cast(${event.occurredAt} as timestamptz)` : sql`${event.occurredAt}`;
      const payload = JSON.stringify({ type: event.type, timestamp: event.occurredAt, data: event.data });
      const who = pg ? sql`cast(${contactId} as uuid)` : sql`${contactId}`;
      // An event about a person erased since is dropped, as the dispatcher drops it.
      const person =
        contactId === null ? sql`` : sql`where exists (select 1 from contacts where id = ${contactId})`;
      await sql`insert into webhook_messages (id, type, occurred_at, payload, is_fanned_out, contact_id)
        select ${id}, ${event.type}, ${at}, ${payload}, ${sql.lit(pg ? false : 0)}, ${who} ${person}`.execute(
        db,
      );
    }
  }
  await db.schema.dropTable('webhook_batches').execute();
}
