import { Type, type Static } from 'typebox';
import { Email, Instant, Language, Nullable, StrictObject, TimeZone } from './common.ts';
import { HolidaysInput } from './sla.ts';
import { Password } from './users.ts';

export const SetupStatus = Type.Object({
  needed: Type.Boolean({
    description: 'The store has no users yet: the browser opens the setup page, which needs the setup token',
  }),
  companyName: Nullable(Type.String()),
});
export type SetupStatus = Static<typeof SetupStatus>;

const Time = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM' });

export const CompleteSetupBody = StrictObject({
  token: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'The one-time setup token the server printed in its log (or `baton setup-token`)',
  }),
  company: StrictObject({
    name: Type.String({ minLength: 1, maxLength: 200 }),
    timeZone: TimeZone,
    language: Language,
  }),
  calendar: StrictObject(
    {
      from: Time,
      to: Time,
      holidays: HolidaysInput,
    },
    {
      description:
        'Working hours Monday to Friday of the default calendar, and the country (or region) whose public holidays are off',
    },
  ),
  admin: StrictObject({
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Email,
    password: Password,
  }),
});
export type CompleteSetupBody = Static<typeof CompleteSetupBody>;

export const Company = Type.Object({
  name: Nullable(Type.String()),
  timeZone: TimeZone,
  language: Language,
  setUpAt: Nullable(Instant),
  updatedAt: Instant,
});
export type Company = Static<typeof Company>;

export const UpdateCompanyBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  timeZone: Type.Optional(TimeZone),
  language: Type.Optional(Language),
});
export type UpdateCompanyBody = Static<typeof UpdateCompanyBody>;

export const onboardingSteps = [
  'people',
  'teams',
  'calendars',
  'routing',
  'sla',
  'form',
  'scoring',
  'agreement',
] as const;
export type OnboardingStepKey = (typeof onboardingSteps)[number];

export const OnboardingStep = Type.Object({
  key: Type.Enum(onboardingSteps),
  done: Type.Boolean({ description: 'Done, by what is set up or marked done by hand' }),
  confirmed: Type.Boolean({ description: 'Marked done by hand (the defaults suffice)' }),
  path: Type.String({ description: 'The page of the web app where this is set up' }),
});
export type OnboardingStep = Static<typeof OnboardingStep>;

export const Checklist = Type.Object({
  steps: Type.Array(OnboardingStep),
  done: Type.Integer(),
  total: Type.Integer(),
});
export type Checklist = Static<typeof Checklist>;

export const StepParams = StrictObject({ key: Type.Enum(onboardingSteps) });

// Invitations and "forgot password": single-use links that set a password.

export const Invitation = Type.Object({
  userId: Type.String(),
  email: Email,
  expiresAt: Instant,
});
export type Invitation = Static<typeof Invitation>;

export const PasswordResetBody = StrictObject({ email: Email });
export type PasswordResetBody = Static<typeof PasswordResetBody>;

export const PasswordTokenBody = StrictObject({
  token: Type.String({ minLength: 1, maxLength: 200, description: 'From the link in the email' }),
});
export type PasswordTokenBody = Static<typeof PasswordTokenBody>;

export const PasswordTokenInfo = Type.Object({
  purpose: Type.Enum(['invitation', 'reset']),
  email: Email,
  name: Type.String(),
  language: Language,
  expiresAt: Instant,
});
export type PasswordTokenInfo = Static<typeof PasswordTokenInfo>;

export const SetPasswordBody = StrictObject({
  token: Type.String({ minLength: 1, maxLength: 200 }),
  password: Password,
});
export type SetPasswordBody = Static<typeof SetPasswordBody>;
