import type {
  CreateTaskBody,
  ListTasksQuery,
  Task,
  TaskKind,
  UpdateTaskBody,
} from '../../../contract/tasks.ts';
import { canSee, type Actor, type Visibility } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, fromDbTimeOrNull, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { loadVisibility } from '../shared/visibility.ts';
import { findUserById } from '../users/users.repository.ts';
import {
  deleteTaskRow,
  findTaskById,
  findTasks,
  insertTask,
  updateTaskRow,
  type TaskWithContactRow,
} from './tasks.repository.ts';

function toTask(row: TaskWithContactRow, now: Date): Task {
  const dueAt = fromDbTime(row.due_at);
  const doneAt = fromDbTimeOrNull(row.done_at);
  const name = [row.first_name, row.last_name].filter(Boolean).join(' ');
  return {
    id: row.id,
    contactId: row.contact_id,
    contact: { name: name || null, email: row.email, company: row.company, stage: row.contact_stage },
    kind: row.kind as TaskKind,
    title: row.title,
    dueAt: dueAt.toISOString(),
    assigneeId: row.assignee_id,
    done: doneAt !== null,
    doneAt: doneAt?.toISOString() ?? null,
    doneBy: row.done_by,
    overdue: doneAt === null && dueAt.getTime() < now.getTime(),
    createdBy: row.created_by,
    createdAt: fromDbTime(row.created_at).toISOString(),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
  };
}

const taskNotFound = () => createError('tasks.not_found');

/**
 * Next steps on leads: a call, a mail, a meeting or anything else, due at a time, for one person.
 * A task goes with its lead: whoever may see the lead sees its tasks, and when the lead gets a new
 * owner, the open tasks the previous owner had move to them (contacts.repository updateContactRow).
 * Tasks are everyday work, in the event log and on the lead's timeline, not the audit log.
 */
export function createTasksService({ db, clock }: ServiceDeps) {
  /** The lead, when the actor may see it; a lead they may not see does not exist for them. */
  async function visibleContact(conn: Db, visibility: Visibility, contactId: string) {
    const contact = await findContactById(conn, contactId);
    if (!contact || !canSee(visibility, contact.owner_id)) throw createError('contacts.not_found');
    return contact;
  }

  async function visibleTask(conn: Db, visibility: Visibility, id: string) {
    const row = await findTaskById(conn, id);
    if (!row || !canSee(visibility, row.contact_owner_id)) throw taskNotFound();
    return row;
  }

  /** A task goes to an active person the actor may give work to: themselves, their team, or anyone. */
  async function checkAssignee(conn: Db, visibility: Visibility, assigneeId: string): Promise<void> {
    const user = await findUserById(conn, assigneeId);
    if (!user || !fromDbBool(user.is_active))
      throw fieldError('tasks.invalid_assignee', 'assigneeId', 'not an active user');
    if (!canSee(visibility, assigneeId))
      throw fieldError(
        'tasks.invalid_assignee',
        'assigneeId',
        'you can give tasks only to yourself or your team',
      );
  }

  return {
    async list(actor: Actor | null, query: ListTasksQuery): Promise<{ data: Task[] }> {
      const who = authorize(actor, 'contacts.read');
      const visibility = await loadVisibility(db, who);
      if (query.contactId) await visibleContact(db, visibility, query.contactId);
      const rows = await findTasks(
        db,
        {
          status: query.status ?? 'open',
          ...(query.contactId && { contactId: query.contactId }),
          ...(query.assigneeId && { assigneeId: query.assigneeId }),
          ...(query.dueBefore && { dueBefore: toDbTime(new Date(query.dueBefore)) }),
        },
        visibility,
        query.limit ?? 200,
      );
      const now = clock.now();
      return { data: rows.map((row) => toTask(row, now)) };
    },

    async create(actor: Actor | null, contactId: string, input: CreateTaskBody): Promise<Task> {
      const who = authorize(actor, 'contacts.write');
      const now = clock.now();
      const id = newId();
      return db.transaction().execute(async (trx) => {
        const visibility = await loadVisibility(trx, who);
        const contact = await visibleContact(trx, visibility, contactId);
        // Whoever adds it takes it, unless they name someone; an integration gives it to the owner.
        const assigneeId = input.assigneeId ?? (who.kind === 'user' ? who.userId : contact.owner_id);
        if (!assigneeId)
          throw fieldError(
            'tasks.invalid_assignee',
            'assigneeId',
            'is required: the lead has no owner to take it',
          );
        await checkAssignee(trx, visibility, assigneeId);
        await insertTask(trx, {
          id,
          contact_id: contactId,
          assignee_id: assigneeId,
          kind: input.kind ?? 'todo',
          title: input.title.trim(),
          due_at: toDbTime(new Date(input.dueAt)),
          done_at: null,
          done_by: null,
          created_by: who.kind === 'user' ? who.userId : null,
          created_at: toDbTime(now),
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'task.created',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'contact', id: contactId },
          payload: { taskId: id, kind: input.kind ?? 'todo', dueAt: input.dueAt, assigneeId },
        });
        return toTask((await findTaskById(trx, id))!, now);
      });
    },

    async update(actor: Actor | null, id: string, input: UpdateTaskBody): Promise<Task> {
      const who = authorize(actor, 'contacts.write');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const visibility = await loadVisibility(trx, who);
        const row = await visibleTask(trx, visibility, id);
        if (input.assigneeId !== undefined && input.assigneeId !== row.assignee_id)
          await checkAssignee(trx, visibility, input.assigneeId);
        const wasDone = row.done_at !== null;
        const completes = input.done === true && !wasDone;
        const reopens = input.done === false && wasDone;
        await updateTaskRow(trx, id, {
          ...(input.title !== undefined && { title: input.title.trim() }),
          ...(input.kind !== undefined && { kind: input.kind }),
          ...(input.dueAt !== undefined && { due_at: toDbTime(new Date(input.dueAt)) }),
          ...(input.assigneeId !== undefined && { assignee_id: input.assigneeId }),
          ...(completes && { done_at: toDbTime(now), done_by: who.kind === 'user' ? who.userId : null }),
          ...(reopens && { done_at: null, done_by: null }),
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: completes ? 'task.completed' : reopens ? 'task.reopened' : 'task.updated',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'contact', id: row.contact_id },
          payload: { taskId: id, fields: Object.keys(input) },
        });
        return toTask((await findTaskById(trx, id))!, now);
      });
    },

    async remove(actor: Actor | null, id: string): Promise<void> {
      const who = authorize(actor, 'contacts.write');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const visibility = await loadVisibility(trx, who);
        const row = await visibleTask(trx, visibility, id);
        await deleteTaskRow(trx, id);
        await insertEvent(trx, {
          type: 'task.deleted',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'contact', id: row.contact_id },
          payload: { taskId: id },
        });
      });
    },
  };
}

export type TasksService = ReturnType<typeof createTasksService>;
