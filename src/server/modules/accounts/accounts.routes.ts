import { Type } from 'typebox';
import {
  Account,
  AccountDuplicate,
  CreateAccountBody,
  MergeAccountBody,
  ListAccountsQuery,
  UpdateAccountBody,
} from '../../../contract/accounts.ts';
import { IdParams, Page } from '../../../contract/common.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { AccountsService } from './accounts.service.ts';

export function accountsRoutes(app: App, { accounts }: { accounts: AccountsService }) {
  const tags = ['accounts'];

  app.get(
    '/accounts',
    {
      schema: {
        tags,
        summary: 'List accounts you may see, newest first',
        querystring: ListAccountsQuery,
        response: { 200: Page(Account), ...problemResponses },
      },
    },
    async (request) => accounts.listAccounts(request.actor, request.query),
  );

  app.post(
    '/accounts',
    {
      schema: {
        tags,
        summary: 'Create an account',
        body: CreateAccountBody,
        response: { 201: Account, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await accounts.createAccount(request.actor, request.body)),
  );

  app.get(
    '/accounts/:id',
    {
      schema: {
        tags,
        summary: 'Get an account',
        params: IdParams,
        response: { 200: Account, ...problemResponses },
      },
    },
    async (request) => accounts.getAccount(request.actor, request.params.id),
  );

  app.patch(
    '/accounts/:id',
    {
      schema: {
        tags,
        summary: 'Update an account; domains replaces the domains',
        params: IdParams,
        body: UpdateAccountBody,
        response: { 200: Account, ...problemResponses },
      },
    },
    async (request) => accounts.updateAccount(request.actor, request.params.id, request.body),
  );

  app.get(
    '/accounts/:id/duplicates',
    {
      schema: {
        tags,
        summary: 'Accounts that look like the same company, and why (same name, name as domain, typo)',
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(AccountDuplicate) }), ...problemResponses },
      },
    },
    async (request) => accounts.duplicates(request.actor, request.params.id),
  );

  app.post(
    '/accounts/:id/merge',
    {
      schema: {
        tags,
        summary:
          'Merge a duplicate into this account: its domains, people and deals move over, and it is removed',
        params: IdParams,
        body: MergeAccountBody,
        response: { 200: Account, ...problemResponses },
      },
    },
    async (request) => accounts.merge(request.actor, request.params.id, request.body),
  );
}
