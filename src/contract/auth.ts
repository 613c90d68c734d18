import { Type, type Static } from 'typebox';
import { Email, Instant, StrictObject } from './common.ts';
import { User } from './users.ts';

export const LoginBody = StrictObject({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: 256 }),
});
export type LoginBody = Static<typeof LoginBody>;

export const Session = Type.Object({
  user: User,
  expiresAt: Instant,
});
export type Session = Static<typeof Session>;
