import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CreatedApiKey } from '../src/contract/api-keys.ts';
import type { User } from '../src/contract/users.ts';
import { migrations } from '../src/server/db/migrations/index.ts';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createStoreEnv,
  e2eStores,
  runCli,
  runCliInProcess,
  startServerProcess,
  tempDir,
} from './helpers.ts';

// Most commands run in this process (runCliInProcess: the same main, the same store, no new
// Node.js); the binary itself is spawned for help, usage and configuration errors, migrate, and
// API keys used against a running server.

describe('baton, the command', () => {
  // The build of the global setup (bin/build.js): a start parses only the code it runs. The
  // CRMs' and IMAP's clients (13 MB of 25) are chunks of their own, loaded when a connection or a
  // mailbox is first used; each chunk's own code names the client.
  it('starts from a bundle without the CRMs’ and IMAP’s clients, which load when they are used', () => {
    const dist = new URL('../dist/server/', import.meta.url);
    const entry = readFileSync(new URL('baton.js', dist), 'utf8');
    const chunks = readdirSync(dist)
      .filter((file) => file.startsWith('chunk-') && file.endsWith('.js'))
      .map((file) => readFileSync(new URL(file, dist), 'utf8'));
    for (const client of ['hubspot-api-client-nodejs', 'var PersonFieldsApi', 'var ImapFlow']) {
      expect(entry).not.toContain(client);
      expect(chunks.filter((chunk) => chunk.includes(client))).toHaveLength(1);
    }
    expect(entry.length).toBeLessThan(12_000_000);
  });

  it('prints help on stdout and exits 0', async () => {
    const result = await runCli(['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: baton');
    for (const command of ['serve', 'migrate', 'users', 'api-keys']) expect(result.stdout).toContain(command);
    const sub = await runCli(['users', 'add', '--help'], {});
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--password-stdin');
  });

  it('exits 2 on a usage error, with the reason on stderr and nothing on stdout', async () => {
    const unknown = await runCli(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const missing = await runCli(['users', 'add', '--email', 'a@example.nl'], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--name');
  });

  it('exits 1 with a clear message when the configuration is wrong', async () => {
    const result = await runCli(['migrate'], { DATABASE_URL: 'mysql://nope' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL must be a postgres:// URL');
  });
});

describe.each(e2eStores)('baton users and api-keys on %s', (store) => {
  let env: Record<string, string>;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    ({ env, dispose } = await createStoreEnv(store));
  });
  afterEach(async () => dispose());

  it('migrates and says so, in JSON when asked', async () => {
    const result = await runCli(['migrate', '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      dialect: store,
      // Every migration, in order: a new one is listed without editing this test.
      applied: Object.keys(migrations),
    });
    expect(Object.keys(migrations)).toEqual(
      expect.arrayContaining(['0001_initial', '0065_outbox_text_retention']),
    );
  });

  it('adds users with the contract rules, lists and deactivates them', async () => {
    const added = await runCliInProcess(
      [
        'users',
        'add',
        '--email',
        'Admin@Example.nl',
        '--name',
        'Ada Admin',
        '--role',
        'admin',
        '--password-stdin',
        '--json',
      ],
      env,
      'a long enough password\n',
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const admin = JSON.parse(added.stdout) as User;
    expect(admin).toMatchObject({ email: 'admin@example.nl', role: 'admin', isActive: true });

    const badRole = await runCliInProcess(
      ['users', 'add', '--email', 'x@example.nl', '--name', 'X', '--role', 'boss'],
      env,
    );
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('--role');
    const badEmail = await runCliInProcess(
      ['users', 'add', '--email', 'nope', '--name', 'X', '--role', 'marketing'],
      env,
    );
    expect(badEmail.code).toBe(2);
    expect(badEmail.stderr).toContain('--email');
    const shortPassword = await runCliInProcess(
      ['users', 'add', '--email', 'y@example.nl', '--name', 'Y', '--role', 'marketing', '--password-stdin'],
      env,
      'short',
    );
    expect(shortPassword.code).toBe(2);
    const taken = await runCliInProcess(
      ['users', 'add', '--email', 'admin@example.nl', '--name', 'A', '--role', 'admin'],
      env,
    );
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('users.email_taken');

    const director = JSON.parse(
      (
        await runCliInProcess(
          ['users', 'add', '--email', 'd@example.nl', '--name', 'Dirk', '--role', 'director', '--json'],
          env,
        )
      ).stdout,
    ) as User;
    const manager = await runCliInProcess(
      [
        'users',
        'add',
        '--email',
        'm@example.nl',
        '--name',
        'Mo',
        '--role',
        'sales_manager',
        '--manager',
        'd@example.nl',
        '--json',
      ],
      env,
    );
    expect((JSON.parse(manager.stdout) as User).managerId).toBe(director.id);

    const list = await runCliInProcess(['users', 'list', '--json'], env);
    expect((JSON.parse(list.stdout) as User[]).map((u) => u.email).sort()).toEqual([
      'admin@example.nl',
      'd@example.nl',
      'm@example.nl',
    ]);
    const table = await runCliInProcess(['users', 'list'], env);
    expect(table.stdout.split('\n')[0]).toMatch(/^id\s+email\s+name\s+role\s+active$/);

    const reset = await runCliInProcess(
      ['users', 'set-password', 'm@example.nl'],
      env,
      'the manager new password\n',
    );
    expect(reset.code).toBe(0);
    expect(reset.stderr).toContain('sessions have ended');
    const tooShort = await runCliInProcess(['users', 'set-password', 'm@example.nl'], env, 'short');
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toContain('password');

    const deactivated = await runCliInProcess(['users', 'deactivate', 'm@example.nl', '--json'], env);
    expect(JSON.parse(deactivated.stdout)).toMatchObject({ isActive: false });
    const active = await runCliInProcess(['users', 'list', '--json'], env);
    expect((JSON.parse(active.stdout) as User[]).map((u) => u.email)).not.toContain('m@example.nl');
    const nobody = await runCliInProcess(['users', 'deactivate', 'nobody@example.nl'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('users.not_found');
    const resetFactor = await runCliInProcess(['users', 'reset-second-factor', 'm@example.nl'], env);
    expect(resetFactor.code, resetFactor.stderr).toBe(0);
    expect(resetFactor.stdout).toContain('Two-step sign-in of m@example.nl removed');
  });

  it('creates an API key that works against the running server until it is revoked', async () => {
    const created = await runCli(
      ['api-keys', 'create', '--name', 'Website', '--role', 'marketing', '--json'],
      env,
    );
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as CreatedApiKey;
    expect(key).toMatchObject({ name: 'Website', role: 'marketing', revokedAt: null });
    expect(key.key).toMatch(/^baton_/);

    const plain = await runCli(['api-keys', 'create', '--name', 'Other', '--role', 'admin'], env);
    expect(plain.stdout.trim()).toMatch(/^baton_[\w-]+$/);
    expect(plain.stderr).toContain('Store it now');

    const server = await startServerProcess(env);
    try {
      const authorization = `Bearer ${key.key}`;
      expect((await fetch(`${server.url}/api/v1/contacts`, { headers: { authorization } })).status).toBe(200);

      const listed = await runCliInProcess(['api-keys', 'list', '--json'], env);
      const keys = JSON.parse(listed.stdout) as CreatedApiKey[];
      expect(keys.find((k) => k.id === key.id)?.lastUsedAt).not.toBeNull();
      expect(listed.stdout).not.toContain(key.key);

      const revoked = await runCliInProcess(['api-keys', 'revoke', key.id, '--json'], env);
      expect(JSON.parse(revoked.stdout)).toMatchObject({ id: key.id, revokedAt: expect.any(String) });
      expect((await fetch(`${server.url}/api/v1/contacts`, { headers: { authorization } })).status).toBe(401);

      const bad = await runCliInProcess(['api-keys', 'revoke', 'not-an-id'], env);
      expect(bad.code).toBe(2);
    } finally {
      await server.stop();
    }
  });

  it('tells how to create the first admin when there is none', async () => {
    const server = await startServerProcess(env);
    await server.stop();
    expect(server.output()).toContain('npx baton users add');
  });
});

describe('baton import', () => {
  it('imports a Dutch contacts file with a dry run first, reports bad rows, and adds nothing on a second run', async () => {
    const { env, dispose } = await createStoreEnv('sqlite');
    const dir = tempDir();
    try {
      const file = join(dir.path, 'contacten.csv');
      writeFileSync(
        file,
        'E-mailadres;Voornaam;Bedrijf\njan@acme.nl;Jan;Acme B.V.\ngeen-email;Piet;\neva@initech.nl;Eva;Initech\n',
      );
      const dry = await runCliInProcess(['import', 'contacts', file, '--delimiter', ';', '--dry-run'], env);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('Dry run: nothing was stored. 3 rows read, 2 valid, 1 rejected.');
      expect(dry.stdout).toMatch(/^3\s+E-mailadres\s+/m);

      const real = await runCliInProcess(['import', 'contacts', file, '--delimiter', ';', '--json'], env);
      expect(JSON.parse(real.stdout)).toMatchObject({ rows: 3, created: 2, rejected: 1 });
      const again = await runCliInProcess(['import', 'contacts', file, '--delimiter', ';', '--json'], env);
      expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, valid: 2 });

      const unmapped = await runCliInProcess(['import', 'contacts', file, '--delimiter', ',', '--json'], env);
      expect(unmapped.code).toBe(1);
      expect(unmapped.stderr).toContain('--map COLUMN=email');
      const badKind = await runCliInProcess(['import', 'deals', file], env);
      expect(badKind.code).toBe(2);
    } finally {
      dir.remove();
      await dispose();
    }
  });
});

describe.each(e2eStores)('baton contacts, for a request under the GDPR/AVG, on %s', (store) => {
  it('finds a person, writes the archive, erases them only when confirmed, and a re-import leaves them out', async () => {
    const { env, dispose } = await createStoreEnv(store);
    const dir = tempDir();
    try {
      const file = join(dir.path, 'contacts.csv');
      writeFileSync(file, 'email,first_name\nsanne@bakkerij-jansen.nl,Sanne\nbert@bakkerij-jansen.nl,Bert\n');
      expect(
        JSON.parse((await runCliInProcess(['import', 'contacts', file, '--json'], env)).stdout),
      ).toMatchObject({
        created: 2,
      });
      const found = await runCliInProcess(['contacts', 'find', 'Sanne@Bakkerij-Jansen.nl'], env);
      expect(found.code, found.stderr).toBe(0);
      expect(found.stdout).toMatch(/^[0-9a-f-]{36}\s+sanne@bakkerij-jansen\.nl\s+Sanne\s+lead$/m);

      const archive = join(dir.path, 'sanne.zip');
      const exported = await runCliInProcess(
        ['contacts', 'export', 'sanne@bakkerij-jansen.nl', '--archive', archive],
        env,
      );
      expect(exported.code, exported.stderr).toBe(0);
      const { unzipSync, strFromU8 } = await import('fflate');
      const files = unzipSync(new Uint8Array(readFileSync(archive)));
      expect(strFromU8(files['tables/contacts.csv']!)).toContain('"sanne@bakkerij-jansen.nl"');

      const unconfirmed = await runCliInProcess(['contacts', 'erase', 'sanne@bakkerij-jansen.nl'], env);
      expect(unconfirmed.code).toBe(2);
      expect(unconfirmed.stderr).toContain('add --yes to confirm');
      const erased = await runCliInProcess(['contacts', 'erase', 'sanne@bakkerij-jansen.nl', '--yes'], env);
      expect(erased.code, erased.stderr).toBe(0);
      const again = await runCliInProcess(['import', 'contacts', file, '--json'], env);
      expect(JSON.parse(again.stdout)).toMatchObject({ created: 0 });
      const gone = await runCliInProcess(['contacts', 'find', 'sanne@bakkerij-jansen.nl', '--json'], env);
      expect(JSON.parse(gone.stdout)).toMatchObject({ contacts: [], erasedAt: expect.any(String) });
      const notThere = await runCliInProcess(['contacts', 'export', 'sanne@bakkerij-jansen.nl'], env);
      expect(notThere.code).toBe(2);
      expect(notThere.stderr).toMatch(/was erased on .*; Baton holds nothing more about them/);
      const dryRun = await runCliInProcess(['retention', 'run', '--dry-run'], env);
      expect(dryRun.code, dryRun.stderr).toBe(0);
      expect(dryRun.stdout).toBe(
        'Dry run: would delete 0 anonymous touches, anonymise 0 leads that never became customers, blank 0 email bodies, delete 0 webhook messages.\n',
      );
      const bert = await runCliInProcess(['contacts', 'find', 'bert@bakkerij-jansen.nl', '--json'], env);
      expect(JSON.parse(bert.stdout)).toMatchObject({ contacts: [{ firstName: 'Bert' }], erasedAt: null });
    } finally {
      dir.remove();
      await dispose();
    }
  });
});

describe('baton sla', () => {
  it('previews a deadline under a policy on the Dutch calendar, and refuses a preview without a window', async () => {
    const { env, dispose } = await createStoreEnv('sqlite');
    try {
      const preview = await runCliInProcess(
        [
          'sla',
          'preview',
          '--policy',
          'mql-first-response',
          '--arrived',
          '2026-11-27T16:00:00+01:00',
          '--json',
        ],
        env,
      );
      expect(preview.code).toBe(0);
      expect(JSON.parse(preview.stdout)).toMatchObject({
        dueAt: '2026-11-30T10:30:00.000Z', // Friday 16:00 + 4 business hours = Monday 11:30
        steps: [
          { kind: 'reminder' },
          { kind: 'breach', notify: 'manager' },
          { kind: 'breach', notify: 'director' },
          { kind: 'reassign' },
        ],
      });
      const table = await runCliInProcess(
        ['sla', 'preview', '--window', '30', '--arrived', '2026-11-27T16:00:00+01:00'],
        env,
      );
      expect(table.stdout).toContain('due 2026-11-27T15:00:30.000Z');
      const missing = await runCliInProcess(['sla', 'preview', '--arrived', '2026-11-27T16:00:00Z'], env);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('give --policy or --window');
      const unknown = await runCliInProcess(
        ['sla', 'preview', '--policy', 'nope', '--arrived', '2026-11-27T16:00:00Z'],
        env,
      );
      expect(unknown.code).toBe(2);
    } finally {
      await dispose();
    }
  });
});
