import { Type } from 'typebox';
import { LoginResult } from '../../../contract/auth.ts';
import { IdParams } from '../../../contract/common.ts';
import {
  Checklist,
  Company,
  CompleteSetupBody,
  Invitation,
  PasswordResetBody,
  PasswordTokenBody,
  PasswordTokenInfo,
  SetPasswordBody,
  SetupStatus,
  StepParams,
  UpdateCompanyBody,
} from '../../../contract/setup.ts';
import { answerSignInStep, type AuthHttpOptions } from '../auth/auth.routes.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { InvitationsService } from './invitations.service.ts';
import type { OnboardingService } from './onboarding.service.ts';

const tags = ['setup'];

/** First run, the company, the onboarding checklist, invitations and "forgot password". */
export function onboardingRoutes(
  app: App,
  deps: { onboarding: OnboardingService; invitations: InvitationsService; auth: AuthService },
  options: AuthHttpOptions,
) {
  const { onboarding, invitations, auth } = deps;

  app.get(
    '/setup',
    {
      config: { isPublic: true },
      schema: {
        tags,
        summary: 'Whether Baton still needs its first admin (the browser then opens the setup page)',
        security: [],
        response: { 200: SetupStatus, ...problemResponses },
      },
    },
    async () => onboarding.status(),
  );

  app.post(
    '/setup',
    {
      config: { isPublic: true },
      schema: {
        tags,
        summary:
          'Sets up an empty Baton with the setup token of its log: the company, its calendar and the first admin, who is signed in',
        security: [],
        body: CompleteSetupBody,
        response: { 200: LoginResult, ...problemResponses },
      },
    },
    async (request, reply) => {
      await onboarding.completeSetup(request.body);
      const step = await auth.login(request.body.admin.email, request.body.admin.password, request.ip);
      return answerSignInStep(request, reply, step, options);
    },
  );

  app.get(
    '/company',
    {
      schema: {
        tags,
        summary: "The company: its name, time zone and language (new people's defaults)",
        response: { 200: Company, ...problemResponses },
      },
    },
    async (request) => onboarding.company(request.actor),
  );

  app.patch(
    '/company',
    {
      schema: {
        tags,
        summary: "Changes the company's name, time zone or language (admin)",
        body: UpdateCompanyBody,
        response: { 200: Company, ...problemResponses },
      },
    },
    async (request) => onboarding.updateCompany(request.actor, request.body),
  );

  app.get(
    '/setup/checklist',
    {
      schema: {
        tags,
        summary: "The admins' onboarding checklist: each step, whether it is done, and where it is set up",
        response: { 200: Checklist, ...problemResponses },
      },
    },
    async (request) => onboarding.checklist(request.actor),
  );

  app.put(
    '/setup/checklist/:key',
    {
      schema: {
        tags,
        summary: 'Marks a step done by hand: the defaults suffice (admin)',
        params: StepParams,
        response: { 200: Checklist, ...problemResponses },
      },
    },
    async (request) => onboarding.confirmStep(request.actor, request.params.key, true),
  );

  app.delete(
    '/setup/checklist/:key',
    {
      schema: {
        tags,
        summary: 'Undoes marking a step done by hand (admin)',
        params: StepParams,
        response: { 200: Checklist, ...problemResponses },
      },
    },
    async (request) => onboarding.confirmStep(request.actor, request.params.key, false),
  );

  app.post(
    '/users/:id/invitation',
    {
      schema: {
        tags: ['users'],
        summary:
          'Emails the user an invitation in their language, with a link to choose a password that works once, for 7 days; earlier links stop working (admin)',
        params: IdParams,
        response: { 200: Invitation, ...problemResponses },
      },
    },
    async (request) => invitations.invite(request.actor, request.params.id),
  );

  app.post(
    '/auth/password-reset',
    {
      config: { isPublic: true },
      schema: {
        tags: ['auth'],
        summary:
          '"Forgot password": emails a link to choose a new one, valid for an hour; answers 202 whether or not the address is known',
        security: [],
        body: PasswordResetBody,
        response: { 202: Type.Object({}), ...problemResponses },
      },
    },
    async (request, reply) => {
      await invitations.requestReset(request.body.email);
      return reply.code(202).send({});
    },
  );

  app.post(
    '/auth/password-link',
    {
      config: { isPublic: true },
      schema: {
        tags: ['auth'],
        summary:
          "Reads the link of an invitation or a reset (the token is in the body, so it is never in a log's address)",
        security: [],
        body: PasswordTokenBody,
        response: { 200: PasswordTokenInfo, ...problemResponses },
      },
    },
    async (request) => invitations.lookup(request.body.token),
  );

  app.post(
    '/auth/password-link/password',
    {
      config: { isPublic: true },
      schema: {
        tags: ['auth'],
        summary:
          "Chooses the password of the link's user, uses the link up, ends their other sessions and signs them in",
        security: [],
        body: SetPasswordBody,
        response: { 200: LoginResult, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { email } = await invitations.setPassword(request.body.token, request.body.password);
      const step = await auth.login(email, request.body.password, request.ip);
      return answerSignInStep(request, reply, step, options);
    },
  );
}
