import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { insertAuditEntry, isAudited } from './audit.repository.ts';
import { Type } from 'typebox';

/** What an event of the audit log says about its change, as stored. */
export const EventPayload = Type.Record(Type.String(), Type.Unknown());

export interface DomainEvent {
  /** Past tense, dotted: `contact.created`, `user.deactivated`. */
  type: string;
  occurredAt: Date;
  actor: { kind: string; id: string | null };
  subject: { type: string; id: string };
  payload: Record<string, unknown>;
}

/** Appends to the event log, inside the caller's transaction; a change that matters goes into the audit log too. */
export async function insertEvent(db: Db, event: DomainEvent): Promise<void> {
  await db
    .insertInto('events')
    .values({
      id: newId(),
      type: event.type,
      occurred_at: toDbTime(event.occurredAt),
      actor_kind: event.actor.kind,
      actor_id: event.actor.id,
      subject_type: event.subject.type,
      subject_id: event.subject.id,
      payload: JSON.stringify(event.payload),
    })
    .execute();
  if (isAudited(event))
    await insertAuditEntry(db, {
      action: event.type,
      occurredAt: event.occurredAt,
      actor: event.actor,
      subject: event.subject,
      details: event.payload,
    });
}

/**
 * Blanks what the event and audit logs say about a subject (an erased person): each entry stays
 * (that a change was made, by whom and when), its details go.
 */
export async function scrubLogsAbout(db: Db, subjectType: string, subjectId: string): Promise<void> {
  const erased = JSON.stringify({ erased: true });
  await db
    .updateTable('events')
    .set({ payload: erased })
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .execute();
  await db
    .updateTable('audit_log')
    .set({ details: erased })
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .execute();
}

export async function findEventsBySubject(db: Db, subjectType: string, subjectId: string) {
  return db
    .selectFrom('events')
    .selectAll()
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .orderBy('id')
    .execute();
}

/** Stored events of some types in [from, to), newest first: the audit log reads these. */
export async function findEventsByTypes(
  db: Db,
  input: { types: readonly string[]; from: string | null; to: string | null; limit: number },
) {
  let query = db.selectFrom('events').selectAll().where('type', 'in', input.types);
  if (input.from) query = query.where('occurred_at', '>=', input.from);
  if (input.to) query = query.where('occurred_at', '<', input.to);
  return query.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(input.limit).execute();
}

/** The latest stored event of a type. */
export async function findLatestEventOfType(db: Db, type: string) {
  return db
    .selectFrom('events')
    .selectAll()
    .where('type', '=', type)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
