import { Type, type Static } from 'typebox';
import { Id, Instant, Nullable, Role, StrictObject } from './common.ts';

export const ApiKey = Type.Object({
  id: Id,
  name: Type.String(),
  role: Role,
  prefix: Type.String({ description: 'The first characters of the key, to recognise it' }),
  createdAt: Instant,
  createdBy: Nullable(Id),
  lastUsedAt: Nullable(Instant),
  revokedAt: Nullable(Instant),
});
export type ApiKey = Static<typeof ApiKey>;

export const CreatedApiKey = Type.Object({
  ...ApiKey.properties,
  key: Type.String({ description: 'The secret. Shown once; Baton keeps only its hash.' }),
});
export type CreatedApiKey = Static<typeof CreatedApiKey>;

export const CreateApiKeyBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  role: Role,
});
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;
