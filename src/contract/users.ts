import { Type, type Static } from 'typebox';
import { passwordRules } from '../domain/people/password-rules.ts';
import { Email, Id, Instant, Language, Nullable, PageQuery, Role, StrictObject, TimeZone } from './common.ts';

export const Password = Type.String({
  minLength: passwordRules.min,
  maxLength: passwordRules.max,
  description: `At least ${passwordRules.min} characters`,
});

const From = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM' });
const To = Type.String({
  pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$',
  description: 'HH:MM, 24:00 for midnight',
});
const DayHours = Type.Array(Type.Tuple([From, To]), { maxItems: 6 });
export const WorkingHours = StrictObject(
  {
    mon: Type.Optional(DayHours),
    tue: Type.Optional(DayHours),
    wed: Type.Optional(DayHours),
    thu: Type.Optional(DayHours),
    fri: Type.Optional(DayHours),
    sat: Type.Optional(DayHours),
    sun: Type.Optional(DayHours),
  },
  {
    description:
      'Local working hours per weekday in the user\'s time zone, e.g. { "mon": [["09:00", "17:30"]] }; a missing day is a day off. Routing gives leads only to people at work.',
  },
);
export type WorkingHours = Static<typeof WorkingHours>;

export const User = Type.Object({
  id: Id,
  email: Email,
  name: Type.String(),
  role: Role,
  language: Language,
  timeZone: TimeZone,
  workingHours: WorkingHours,
  managerId: Nullable(Id),
  isActive: Type.Boolean(),
  teamIds: Type.Array(Id),
  /** The end of the absence the person is in now (routing skips them until then); null at work. */
  absentUntil: Nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
  deactivatedAt: Nullable(Instant),
});
export type User = Static<typeof User>;

const Name = Type.String({ minLength: 1, maxLength: 200 });

export const CreateUserBody = StrictObject({
  email: Email,
  name: Name,
  role: Role,
  language: Type.Optional(Language),
  timeZone: Type.Optional(TimeZone),
  workingHours: Type.Optional(WorkingHours),
  managerId: Type.Optional(Nullable(Id)),
  password: Type.Optional(Password),
});
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = StrictObject({
  email: Type.Optional(Email),
  name: Type.Optional(Name),
  role: Type.Optional(Role),
  language: Type.Optional(Language),
  timeZone: Type.Optional(TimeZone),
  workingHours: Type.Optional(WorkingHours),
  managerId: Type.Optional(Nullable(Id)),
  isActive: Type.Optional(
    Type.Boolean({ description: 'false deactivates the user and ends their sessions' }),
  ),
  password: Type.Optional(Password),
});
export type UpdateUserBody = Static<typeof UpdateUserBody>;

/** What a user may change about themselves. */
export const UpdateMeBody = StrictObject({
  name: Type.Optional(Name),
  language: Type.Optional(Language),
  timeZone: Type.Optional(TimeZone),
  workingHours: Type.Optional(WorkingHours),
  currentPassword: Type.Optional(Type.String({ maxLength: 256 })),
  newPassword: Type.Optional(Password),
});
export type UpdateMeBody = Static<typeof UpdateMeBody>;

export const ListUsersQuery = StrictObject({
  ...PageQuery,
  role: Type.Optional(Role),
  isActive: Type.Optional(Type.Boolean()),
  teamId: Type.Optional(Id),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Search in name and email' })),
});
export type ListUsersQuery = Static<typeof ListUsersQuery>;

export const AbsenceBody = StrictObject({
  startsAt: Instant,
  endsAt: Instant,
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
export type AbsenceBody = Static<typeof AbsenceBody>;

export const Absence = Type.Object({
  id: Id,
  userId: Id,
  startsAt: Instant,
  endsAt: Instant,
  reason: Nullable(
    Type.String({
      description: 'Why: shown to the person, the managers above them and admins; null for everyone else',
    }),
  ),
});
export type Absence = Static<typeof Absence>;
