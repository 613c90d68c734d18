import { Type, type Static } from 'typebox';

export const Health = Type.Object({
  status: Type.Enum(['ok', 'unavailable']),
  database: Type.Object({ dialect: Type.Enum(['sqlite', 'postgres']), ok: Type.Boolean() }),
  version: Type.String(),
});
export type Health = Static<typeof Health>;
