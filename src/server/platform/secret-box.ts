import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Seals secrets Baton must read back (a TOTP secret, later a mailbox or CRM credential) with
 * AES-256-GCM under the server's key, so a copy of the database alone does not reveal them.
 */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** A box under a key, or under a key loaded at first use (so a command that seals nothing makes no key file). */
export function createSecretBox(keyOrLoader: Buffer | (() => Buffer)): SecretBox {
  let loaded: Buffer | undefined;
  const keyOf = () => {
    loaded ??= typeof keyOrLoader === 'function' ? keyOrLoader() : keyOrLoader;
    if (loaded.length !== 32) throw new Error('the secret key must be 32 bytes');
    return loaded;
  };
  return {
    seal(plain) {
      const key = keyOf();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      const match = /^v1\.([\w-]+)$/.exec(sealed);
      if (!match) throw new Error('not a sealed secret');
      const raw = Buffer.from(match[1]!, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', keyOf(), raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

/** A key as configured: 32 bytes in base64 (or base64url), or 64 hex digits. */
export function parseSecretKey(raw: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32)
    throw new Error('must be 32 bytes, as base64 or 64 hex digits (openssl rand -base64 32)');
  return key;
}

/**
 * The server's key: BATON_SECRET_KEY when set, else a key file made once beside the store (readable
 * by Baton's user only). Several instances on one PostgreSQL must share BATON_SECRET_KEY.
 */
export function loadSecretKey(configured: Buffer | undefined, keyFile: string): Buffer {
  if (configured) return configured;
  if (existsSync(keyFile)) return parseSecretKey(readFileSync(keyFile, 'utf8').trim());
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(keyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(keyFile, 0o600);
  return key;
}
