import { Type, type Static } from 'typebox';
import { roles } from '../domain/access/roles.ts';
import { Email, Id, Instant, StrictObject } from './common.ts';
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

const TotpCode = Type.String({
  pattern: '^[0-9]{6}$',
  description: 'The 6-digit code of the authenticator app',
});

/** A right password (or SSO sign-in) that still needs the second factor: no session yet. */
export const SignInChallenge = Type.Object({
  challenge: Type.Object({
    method: Type.Enum(['password', 'sso']),
    enrol: Type.Boolean({
      description: 'The role requires a second factor the person has not set up yet: enrol first',
    }),
    expiresAt: Instant,
  }),
});
export type SignInChallenge = Static<typeof SignInChallenge>;

export const LoginResult = Type.Union([Session, SignInChallenge]);
export type LoginResult = Static<typeof LoginResult>;

export const SecondFactorBody = StrictObject({
  code: Type.Optional(TotpCode),
  recoveryCode: Type.Optional(
    Type.String({ minLength: 8, maxLength: 32, description: 'One of the recovery codes, instead of a code' }),
  ),
});
export type SecondFactorBody = Static<typeof SecondFactorBody>;

export const SessionWithRecoveryCodes = Type.Intersect([
  Session,
  Type.Object({
    recoveryCodes: Type.Optional(
      Type.Array(Type.String(), { description: 'Shown once, when the second factor was just set up' }),
    ),
  }),
]);
export type SessionWithRecoveryCodes = Static<typeof SessionWithRecoveryCodes>;

export const TotpEnrolment = Type.Object({
  secret: Type.String({ description: 'The shared secret in base32, to type into an authenticator app' }),
  uri: Type.String({ description: 'otpauth:// URI, shown as a QR code' }),
});
export type TotpEnrolment = Static<typeof TotpEnrolment>;

export const TotpCodeBody = StrictObject({ code: TotpCode });
export type TotpCodeBody = Static<typeof TotpCodeBody>;

export const RecoveryCodes = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'Each works once; shown only now' }),
});
export type RecoveryCodes = Static<typeof RecoveryCodes>;

export const SecondFactorStatus = Type.Object({
  enabled: Type.Boolean(),
  required: Type.Boolean({ description: 'The company requires a second factor for your role' }),
  recoveryCodesLeft: Type.Integer(),
});
export type SecondFactorStatus = Static<typeof SecondFactorStatus>;

export const SignInOptions = Type.Object({
  sso: Type.Union([Type.Object({ name: Type.String(), startUrl: Type.String() }), Type.Null()]),
  passwordAllowed: Type.Boolean({
    description: 'False when the company requires SSO: only the break-glass admin signs in with a password',
  }),
});
export type SignInOptions = Static<typeof SignInOptions>;

export const SecuritySettings = Type.Object({
  ssoConfigured: Type.Boolean({ description: 'An OpenID Provider is configured (BATON_OIDC_*)' }),
  ssoRequired: Type.Boolean(),
  breakGlassUserId: Type.Union([Type.String(), Type.Null()], {
    description: 'The admin who may still sign in with a password when SSO is required',
  }),
  mfaRequiredRoles: Type.Array(Type.Enum([...roles])),
  updatedAt: Instant,
});
export type SecuritySettings = Static<typeof SecuritySettings>;

export const UpdateSecuritySettingsBody = StrictObject({
  ssoRequired: Type.Optional(Type.Boolean()),
  breakGlassUserId: Type.Optional(Type.Union([Id, Type.Null()])),
  mfaRequiredRoles: Type.Optional(Type.Array(Type.Enum([...roles]), { uniqueItems: true })),
});
export type UpdateSecuritySettingsBody = Static<typeof UpdateSecuritySettingsBody>;

export const SsoStartQuery = StrictObject({
  returnTo: Type.Optional(
    Type.String({ maxLength: 500, pattern: '^/[^/\\\\]', description: 'A page of Baton' }),
  ),
});
export type SsoStartQuery = Static<typeof SsoStartQuery>;

/** What an OpenID Provider sends back (RFC 6749 §4.1.2, RFC 9207's `iss`). */
export const SsoCallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 4096 })),
  state: Type.Optional(Type.String({ maxLength: 512 })),
  iss: Type.Optional(Type.String({ maxLength: 2048 })),
  session_state: Type.Optional(Type.String({ maxLength: 2048 })),
  error: Type.Optional(Type.String({ maxLength: 256 })),
  error_description: Type.Optional(Type.String({ maxLength: 2048 })),
  error_uri: Type.Optional(Type.String({ maxLength: 2048 })),
});
export type SsoCallbackQuery = Static<typeof SsoCallbackQuery>;
