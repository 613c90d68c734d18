import type { Visibility } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import type { NewTaskRow, TaskUpdate } from '../../db/tables.ts';

export interface TaskFilter {
  contactId?: string;
  assigneeId?: string;
  status: 'open' | 'done' | 'all';
  dueBefore?: string;
}

/** Tasks with the lead they are about: its name, company, stage and owner. */
function tasksWithContact(db: Db) {
  return db
    .selectFrom('tasks as t')
    .innerJoin('contacts as c', 'c.id', 't.contact_id')
    .leftJoin('accounts as a', 'a.id', 'c.account_id')
    .selectAll('t')
    .select([
      'c.first_name',
      'c.last_name',
      'c.email',
      'c.stage as contact_stage',
      'c.owner_id as contact_owner_id',
      'a.name as company',
    ]);
}

export type TaskWithContactRow = Awaited<ReturnType<typeof findTaskById>> & {};

export async function findTaskById(db: Db, id: string) {
  return tasksWithContact(db).where('t.id', '=', id).executeTakeFirst();
}

/**
 * The tasks on leads `visibility` allows (a lead's tasks go with the lead), open ones due soonest
 * first, done ones done last first.
 */
export async function findTasks(db: Db, filter: TaskFilter, visibility: Visibility, limit: number) {
  if (visibility.kind === 'owned_by' && visibility.userIds.length === 0) return [];
  let query = tasksWithContact(db);
  if (visibility.kind === 'owned_by') query = query.where('c.owner_id', 'in', visibility.userIds);
  if (filter.contactId) query = query.where('t.contact_id', '=', filter.contactId);
  if (filter.assigneeId) query = query.where('t.assignee_id', '=', filter.assigneeId);
  if (filter.dueBefore) query = query.where('t.due_at', '<', filter.dueBefore);
  if (filter.status === 'open') query = query.where('t.done_at', 'is', null);
  if (filter.status === 'done') query = query.where('t.done_at', 'is not', null);
  query =
    filter.status === 'done'
      ? query.orderBy('t.done_at', 'desc')
      : filter.status === 'open'
        ? query.orderBy('t.due_at')
        : // Open first, due soonest first; then the done ones, last done first.
          query
            .orderBy((eb) => eb.case().when('t.done_at', 'is', null).then(0).else(1).end())
            .orderBy('t.due_at');
  return query.orderBy('t.id').limit(limit).execute();
}

export async function insertTask(db: Db, row: NewTaskRow): Promise<void> {
  await db.insertInto('tasks').values(row).execute();
}

export async function updateTaskRow(db: Db, id: string, patch: TaskUpdate): Promise<void> {
  await db.updateTable('tasks').set(patch).where('id', '=', id).execute();
}

export async function deleteTaskRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('tasks').where('id', '=', id).execute();
}
