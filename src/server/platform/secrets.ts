import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt, a memory-hard function built into Node (docs/adr/0003-auth.md).
 * The parameters are stored with each hash, so they can be raised later without breaking old hashes.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. 15 → 32 MiB per hash with r = 8. */
  logN: number;
  r: number;
  p: number;
}

/** OWASP's scrypt option "N=2^15, r=8, p=3". */
export const defaultScryptParams: ScryptParams = { logN: 15, r: 8, p: 3 };

const keyLength = 32;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.logN;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export function createPasswordHasher(params: ScryptParams = defaultScryptParams): PasswordHasher {
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await derive(password, salt, params);
      return `scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
    },
    async verify(password, stored) {
      const match = /^scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored);
      if (!match) return false;
      const [, logN, r, p, salt, expected] = match as unknown as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const expectedKey = Buffer.from(expected, 'base64url');
      const key = await derive(password, Buffer.from(salt, 'base64url'), {
        logN: Number(logN),
        r: Number(r),
        p: Number(p),
      });
      return key.length === expectedKey.length && timingSafeEqual(key, expectedKey);
    },
  };
}

/** A random token for sessions and API keys: 32 bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Tokens are long and random, so a fast hash is enough at rest: nobody can guess them from the
 * hash, and a lookup per request must be cheap.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
