import { Type } from 'typebox';
import type {
  Checklist,
  Company,
  CompleteSetupBody,
  OnboardingStepKey,
  SetupStatus,
  UpdateCompanyBody,
} from '../../../contract/setup.ts';
import { onboardingSteps } from '../../../contract/setup.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { isValidTimeZone } from '../../../domain/people/normalize.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import { readJson } from '../../db/json-column.ts';
import type { UserRow } from '../../db/tables.ts';
import { hashToken, newToken } from '../../platform/secrets.ts';
import { holidayCountries } from '../../../domain/sla/public-holidays.ts';
import { holidayColumns } from '../sla/calendar-settings.ts';
import { findCalendars, updateCalendarRow } from '../sla/sla.repository.ts';
import { countUsers } from '../users/users.repository.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import {
  findCompany,
  findSetupCounts,
  storeSetupToken,
  takeSetupToken,
  updateCompany,
} from './onboarding.repository.ts';

/** How long the setup token printed at a start works. A restart, or `baton setup-token`, gives a new one. */
export const setupTokenTtlMs = 24 * 3_600_000;

const ConfirmedSteps = Type.Array(Type.Enum(onboardingSteps));

/** Where each step is set up in the web app. */
const stepPaths: Record<OnboardingStepKey, string> = {
  people: '/settings?tab=users',
  teams: '/settings?tab=teams',
  calendars: '/settings?tab=sla',
  routing: '/settings?tab=routing',
  sla: '/settings?tab=sla',
  form: '/forms',
  scoring: '/scoring',
  agreement: '/agreement',
};

export interface OnboardingPorts {
  /** Adds a user in the caller's transaction (the users service's). */
  addUserIn(
    trx: Db,
    who: Actor,
    input: { email: string; name: string; role: 'admin'; language: 'en' | 'nl'; timeZone: string },
    passwordHash: string,
  ): Promise<UserRow>;
}

/**
 * First run and onboarding: the one-time setup token of an empty store, the setup that creates the
 * company and its first admin, the company's settings, and the checklist of what is set up.
 */
export function createOnboardingService(deps: ServiceDeps, ports: OnboardingPorts) {
  const { db, clock, passwords } = deps;

  function present(row: Awaited<ReturnType<typeof findCompany>>): Company {
    return {
      name: row.name,
      timeZone: row.time_zone,
      language: row.language === 'nl' ? 'nl' : 'en',
      setUpAt: row.set_up_at ? fromDbTime(row.set_up_at).toISOString() : null,
      updatedAt: fromDbTime(row.updated_at).toISOString(),
    };
  }

  const confirmedOf = (row: Awaited<ReturnType<typeof findCompany>>) =>
    readJson(ConfirmedSteps, row.confirmed_steps, 'company_settings.confirmed_steps');

  const service = {
    async status(): Promise<SetupStatus> {
      const company = await findCompany(db);
      return { needed: (await countUsers(db)) === 0, companyName: company.name };
    },

    /**
     * A new setup token for an empty store, or null when someone can sign in already. Only its
     * hash is stored; the caller prints it where the operator reads it (the server's log).
     */
    async issueSetupToken(): Promise<{ token: string; expiresAt: Date } | null> {
      if ((await countUsers(db)) > 0) return null;
      const token = newToken();
      const expiresAt = new Date(clock.now().getTime() + setupTokenTtlMs);
      return (await storeSetupToken(db, hashToken(token), expiresAt)) ? { token, expiresAt } : null;
    },

    /**
     * Creates the company and its first admin, once, with the setup token. The default calendar
     * takes the company's time zone and working hours. Returns the admin, whom the route signs in.
     */
    async completeSetup(input: CompleteSetupBody): Promise<UserRow> {
      if (!isValidTimeZone(input.company.timeZone))
        throw fieldError(
          'http.validation_failed',
          'company.timeZone',
          'not an IANA time zone such as Europe/Amsterdam',
        );
      if (input.calendar.to <= input.calendar.from)
        throw fieldError('http.validation_failed', 'calendar.to', 'must be later than the start');
      const holidays = holidayColumns(input.calendar.holidays, 'calendar.holidays');
      const passwordHash = await passwords.hash(input.admin.password);
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        if ((await countUsers(trx)) > 0) throw createError('setup.done');
        if (!(await takeSetupToken(trx, hashToken(input.token.trim()), now)))
          throw fieldError(
            'setup.invalid_token',
            'token',
            'wrong or expired: use the one in the log of this start',
          );
        const cli: Actor = { kind: 'cli' };
        const admin = await ports.addUserIn(
          trx,
          cli,
          {
            email: input.admin.email,
            name: input.admin.name,
            role: 'admin',
            language: input.company.language,
            timeZone: input.company.timeZone,
          },
          passwordHash,
        );
        await updateCompany(
          trx,
          {
            name: input.company.name.trim(),
            time_zone: input.company.timeZone,
            language: input.company.language,
          },
          now,
        );
        const calendar = (await findCalendars(trx)).find((c) => fromDbBool(c.is_default));
        if (calendar) {
          const day: [string, string][] = [[input.calendar.from, input.calendar.to]];
          // The default calendar takes the name of its holidays' country ("Nederland" at first).
          const country = holidayCountries().find((c) => c.code === holidays.holiday_country);
          await updateCalendarRow(trx, calendar.id, {
            ...(country && { name: country.name[input.company.language] }),
            time_zone: input.company.timeZone,
            working_hours: JSON.stringify({ mon: day, tue: day, wed: day, thu: day, fri: day }),
            ...holidays,
            updated_at: toDbTime(now),
          });
        }
        await insertEvent(trx, {
          type: 'company.set_up',
          occurredAt: now,
          actor: { kind: 'user', id: admin.id },
          subject: { type: 'company', id: '1' },
          payload: { name: input.company.name.trim(), timeZone: input.company.timeZone },
        });
        return admin;
      });
    },

    async company(actor: Actor | null): Promise<Company> {
      authorize(actor, 'company.read');
      return present(await findCompany(db));
    },

    async updateCompany(actor: Actor | null, input: UpdateCompanyBody): Promise<Company> {
      const who = authorize(actor, 'company.write');
      if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone))
        throw fieldError(
          'http.validation_failed',
          'timeZone',
          'not an IANA time zone such as Europe/Amsterdam',
        );
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        await updateCompany(
          trx,
          {
            ...(input.name !== undefined && { name: input.name.trim() }),
            ...(input.timeZone !== undefined && { time_zone: input.timeZone }),
            ...(input.language !== undefined && { language: input.language }),
          },
          now,
        );
        await insertEvent(trx, {
          type: 'company.updated',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'company', id: '1' },
          payload: { fields: Object.keys(input) },
        });
        return present(await findCompany(trx));
      });
    },

    /** The onboarding checklist: each step done by what is set up, or marked done by hand. */
    async checklist(actor: Actor | null): Promise<Checklist> {
      authorize(actor, 'company.write');
      const [company, counts] = await Promise.all([findCompany(db), findSetupCounts(db)]);
      const confirmed = new Set(confirmedOf(company));
      const setUp: Record<OnboardingStepKey, boolean> = {
        people: counts.users > 1,
        teams: counts.teamsWithManager > 0,
        calendars: counts.changedCalendars > 0 || counts.calendars > 1,
        routing: counts.poolsWithMembers > 0 && (counts.rules > 0 || counts.hasFallback),
        sla: counts.changedPolicies > 0,
        form: counts.forms > 0,
        scoring: counts.changedModels > 0,
        agreement: counts.signedAgreements > 0,
      };
      const steps = onboardingSteps.map((key) => ({
        key,
        done: setUp[key] || confirmed.has(key),
        confirmed: confirmed.has(key),
        path: stepPaths[key],
      }));
      return { steps, done: steps.filter((s) => s.done).length, total: steps.length };
    },

    /** Marks a step done by hand (the defaults suffice), or undoes that. */
    async confirmStep(actor: Actor | null, key: OnboardingStepKey, confirmed: boolean): Promise<Checklist> {
      authorize(actor, 'company.write');
      await db.transaction().execute(async (trx) => {
        const steps = new Set(confirmedOf(await findCompany(trx)));
        if (confirmed) steps.add(key);
        else steps.delete(key);
        await updateCompany(
          trx,
          { confirmed_steps: JSON.stringify(onboardingSteps.filter((s) => steps.has(s))) },
          clock.now(),
        );
      });
      return service.checklist(actor);
    },
  };
  return service;
}

export type OnboardingService = ReturnType<typeof createOnboardingService>;
