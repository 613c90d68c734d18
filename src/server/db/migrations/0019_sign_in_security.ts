// Frozen: a migration never changes once released and never imports live code.
import { PostgresAdapter, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Signing in the way IT departments require: a second factor (TOTP, RFC 6238) with single-use
// recovery codes; single sign-on through an OpenID Provider (the state, nonce and PKCE verifier of
// each sign-in in flight, used once); the company's sign-in policy (SSO for everyone but a
// break-glass admin, a second factor for some roles). A password that is right but needs a second
// factor opens a short-lived challenge, not a session.
export async function up(db: AnyDb): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? ('uuid' as const) : ('text' as const);
  const time = pg ? ('timestamptz' as const) : ('text' as const);
  const json = pg ? ('jsonb' as const) : ('text' as const);
  const bool = pg ? ('boolean' as const) : ('integer' as const);

  await db.schema.alterTable('users').addColumn('totp_secret', 'text').execute();
  await db.schema.alterTable('users').addColumn('totp_confirmed_at', time).execute();
  await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', id, (c) => c.primaryKey())
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('used_at', time)
    .execute();
  await db.schema.createIndex('recovery_codes_user_idx').on('recovery_codes').column('user_id').execute();

  await db.schema
    .createTable('sign_in_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('oidc_logins')
    .addColumn('state', 'text', (c) => c.primaryKey())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('expires_at', time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('security_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('sso_required', bool, (c) => c.notNull())
    .addColumn('break_glass_user_id', id, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('mfa_required_roles', json, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .execute();
  await db
    .insertInto('security_settings')
    .values({
      id: 1,
      sso_required: pg ? false : 0,
      break_glass_user_id: null,
      mfa_required_roles: '[]',
      updated_at: '1970-01-01T00:00:00.000Z',
    })
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('security_settings').execute();
  await db.schema.dropTable('oidc_logins').execute();
  await db.schema.dropTable('sign_in_challenges').execute();
  await db.schema.dropTable('recovery_codes').execute();
  await db.schema.alterTable('users').dropColumn('totp_last_step').execute();
  await db.schema.alterTable('users').dropColumn('totp_confirmed_at').execute();
  await db.schema.alterTable('users').dropColumn('totp_secret').execute();
}
