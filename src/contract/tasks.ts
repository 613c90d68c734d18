import { Type, type Static } from 'typebox';
import { Id, Instant, Nullable, saneYear, StrictObject } from './common.ts';

/** What a next step is: a call to make, a mail to send, a meeting to hold, or anything else. */
export const taskKinds = ['call', 'email', 'meeting', 'todo'] as const;
export type TaskKind = (typeof taskKinds)[number];

export const Task = Type.Object({
  id: Id,
  contactId: Id,
  contact: Type.Object({
    name: Nullable(Type.String({ description: 'First and last name, or null' })),
    email: Nullable(Type.String()),
    company: Nullable(Type.String()),
    stage: Type.String(),
  }),
  kind: Type.Enum(taskKinds),
  title: Type.String(),
  dueAt: Instant,
  assigneeId: Id,
  done: Type.Boolean(),
  doneAt: Nullable(Instant),
  doneBy: Nullable(Id),
  overdue: Type.Boolean({ description: 'Open and past its due time' }),
  createdBy: Nullable(Id),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Task = Static<typeof Task>;

const Title = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'What to do, e.g. "Call about the demo"',
});
const DueAt = Type.String({
  format: 'date-time',
  pattern: `^${saneYear}-`,
  description: 'When it is due (ISO 8601)',
});

export const CreateTaskBody = StrictObject({
  title: Title,
  kind: Type.Optional(Type.Enum(taskKinds, { default: 'todo' })),
  dueAt: DueAt,
  assigneeId: Type.Optional(Id),
});
export type CreateTaskBody = Static<typeof CreateTaskBody>;

export const UpdateTaskBody = StrictObject({
  title: Type.Optional(Title),
  kind: Type.Optional(Type.Enum(taskKinds)),
  dueAt: Type.Optional(DueAt),
  assigneeId: Type.Optional(Id),
  done: Type.Optional(Type.Boolean({ description: 'true marks it done; false opens it again' })),
});
export type UpdateTaskBody = Static<typeof UpdateTaskBody>;

export const taskStatuses = ['open', 'done', 'all'] as const;

export const ListTasksQuery = StrictObject({
  contactId: Type.Optional(Id),
  assigneeId: Type.Optional(Id),
  status: Type.Optional(
    Type.Enum(taskStatuses, { description: 'open (the default): due soonest first; done: done last first' }),
  ),
  dueBefore: Type.Optional(DueAt),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
});
export type ListTasksQuery = Static<typeof ListTasksQuery>;
