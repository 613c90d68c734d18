import { Type, type Static } from 'typebox';
import { Email, Id, Instant, Language, Nullable, PageQuery, Role, StrictObject, TimeZone } from './common.ts';

export const passwordRules = { minLength: 10, maxLength: 256 } as const;
export const Password = Type.String({ ...passwordRules, description: 'At least 10 characters' });

export const User = Type.Object({
  id: Id,
  email: Email,
  name: Type.String(),
  role: Role,
  language: Language,
  timeZone: TimeZone,
  managerId: Nullable(Id),
  isActive: Type.Boolean(),
  teamIds: Type.Array(Id),
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
  reason: Nullable(Type.String()),
});
export type Absence = Static<typeof Absence>;
