import { createHash, randomInt } from 'node:crypto';
import { generateSecret, generateURI, verifySync } from 'otplib';

/** RFC 6238 as authenticator apps use it: SHA-1, 6 digits, 30-second steps. */
const period = 30;
/** A code from the step before or after is accepted too: a phone's clock is seldom exact. */
const toleranceSeconds = period;

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, account: string): string {
  return generateURI({ issuer: 'Baton', label: account, secret });
}

/** The time step a code is right for at `now`, or null; a step at or before `after` is a replay. */
export function checkTotp(secret: string, code: string, now: Date, after: number | null): number | null {
  const result = verifySync({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: toleranceSeconds,
    ...(after !== null && { afterTimeStep: after }),
  });
  return result.valid ? (result as unknown as { timeStep: number }).timeStep : null;
}

const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Ten recovery codes like "k7dm-q3xa-92fp": 60 bits each, without letters that look alike. */
export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () =>
    Array.from({ length: 3 }, () =>
      Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join(''),
    ).join('-'),
  );
}

/** Codes are compared as typed carelessly: case, spaces and dashes do not matter. */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256')
    .update(code.toLowerCase().replace(/[^a-z0-9]/g, ''))
    .digest('hex');
}
