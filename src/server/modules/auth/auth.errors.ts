import { createError } from '../shared/errors.ts';

export const invalidCredentials = () => createError('auth.invalid_credentials');
export const invalidApiKey = () => createError('auth.invalid_api_key');

export function tooManyAttempts(retryAfterSeconds: number) {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  const error = createError(
    'auth.too_many_attempts',
    `Too many failed sign-ins. Try again in ${minutes} minutes.`,
  );
  error.headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  return error;
}
