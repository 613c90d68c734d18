import { createError } from '../shared/errors.ts';

export const invalidCredentials = () => createError('auth.invalid_credentials');
export const invalidApiKey = () => createError('auth.invalid_api_key');
export const crossOrigin = () =>
  createError('auth.cross_origin', 'A signed-in change must come from Baton itself, not from another site');

export function tooManyAttempts(retryAfterSeconds: number) {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  const error = createError(
    'auth.too_many_attempts',
    `Too many failed sign-ins. Try again in ${minutes} minutes.`,
  );
  error.headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  return error;
}
