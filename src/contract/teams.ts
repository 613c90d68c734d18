import { Type, type Static } from 'typebox';
import { Id, Instant, Nullable, StrictObject } from './common.ts';

export const Team = Type.Object({
  id: Id,
  name: Type.String(),
  managerId: Nullable(Id),
  memberIds: Type.Array(Id),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Team = Static<typeof Team>;

const Name = Type.String({ minLength: 1, maxLength: 200 });
const MemberIds = Type.Array(Id, { maxItems: 1000, uniqueItems: true });

export const CreateTeamBody = StrictObject({
  name: Name,
  managerId: Type.Optional(Nullable(Id)),
  memberIds: Type.Optional(MemberIds),
});
export type CreateTeamBody = Static<typeof CreateTeamBody>;

export const UpdateTeamBody = StrictObject({
  name: Type.Optional(Name),
  managerId: Type.Optional(Nullable(Id)),
  memberIds: Type.Optional(MemberIds),
});
export type UpdateTeamBody = Static<typeof UpdateTeamBody>;
