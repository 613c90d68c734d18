import type {
  Account,
  AccountDuplicate,
  CreateAccountBody,
  ListAccountsQuery,
  MergeAccountBody,
  UpdateAccountBody,
} from '../../../contract/accounts.ts';
import { accountLikeness } from '../../../domain/people/duplicates.ts';
import { canSee, type Actor, type Visibility } from '../../../domain/access/roles.ts';
import { normalizeCompanyName } from '../../../domain/capture/match-account.ts';
import { normalizeDomain } from '../../../domain/people/normalize.ts';
import type { Db } from '../../db/database.ts';
import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { AccountRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { decodeCursor, toPage } from '../shared/pagination.ts';
import { loadVisibility } from '../shared/visibility.ts';
import { checkOwner, resolveNewOwner } from '../shared/ownership.ts';
import { inTransaction } from '../shared/transaction.ts';
import {
  deleteAccount,
  findAccountById,
  findAccountCandidates,
  findAccounts,
  moveAccountDependants,
  findDomainsByAccounts,
  insertAccount,
  replaceAccountDomains,
  updateAccountRow,
} from './accounts.repository.ts';

function toAccount(row: AccountRow, domains: string[]): Account {
  return {
    id: row.id,
    name: row.name,
    domains,
    employeeCount: row.employee_count,
    industry: row.industry,
    country: row.country,
    ownerId: row.owner_id,
    createdAt: fromDbTime(row.created_at).toISOString(),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
  };
}

const accountNotFound = () => createError('accounts.not_found');

export function createAccountsService(deps: ServiceDeps) {
  const { db, clock } = deps;

  async function present(conn: Db, rows: AccountRow[]): Promise<Account[]> {
    const domains = await findDomainsByAccounts(
      conn,
      rows.map((r) => r.id),
    );
    return rows.map((r) => toAccount(r, domains.get(r.id) ?? []));
  }

  async function loadVisible(
    conn: Db,
    actor: Actor,
    id: string,
  ): Promise<{ row: AccountRow; visibility: Visibility }> {
    const visibility = await loadVisibility(conn, actor);
    const [row] = await findAccounts(conn, {}, visibility, 1, undefined, id);
    if (!row) throw accountNotFound();
    return { row, visibility };
  }

  const write = <T>(work: (trx: Db) => Promise<T>) =>
    inTransaction(db, work, () =>
      fieldError('accounts.domain_taken', 'domains', 'another account has one of these domains'),
    );

  const normalizeDomains = (domains: readonly string[]) => [...new Set(domains.map(normalizeDomain))];

  return {
    async listAccounts(actor: Actor | null, query: ListAccountsQuery) {
      const who = authorize(actor, 'accounts.read');
      const visibility = await loadVisibility(db, who);
      const limit = query.limit ?? 50;
      const filter = {
        ...query,
        ...(query.domain !== undefined && { domain: normalizeDomain(query.domain) }),
      };
      const rows = await findAccounts(db, filter, visibility, limit + 1, decodeCursor(query.cursor));
      const page = toPage(rows, limit);
      return { data: await present(db, page.items), nextCursor: page.nextCursor };
    },

    async getAccount(actor: Actor | null, id: string): Promise<Account> {
      const who = authorize(actor, 'accounts.read');
      const { row } = await loadVisible(db, who, id);
      return (await present(db, [row]))[0]!;
    },

    async createAccount(actor: Actor | null, input: CreateAccountBody): Promise<Account> {
      const who = authorize(actor, 'accounts.write');
      const now = clock.now();
      const id = newId();
      return write(async (trx) => {
        const visibility = await loadVisibility(trx, who);
        const ownerId = await resolveNewOwner(
          trx,
          who,
          visibility,
          input.ownerId,
          'accounts.invalid_owner',
          'accounts',
        );
        await insertAccount(trx, {
          id,
          name: input.name.trim(),
          name_key: normalizeCompanyName(input.name),
          employee_count: input.employeeCount ?? null,
          industry: input.industry ?? null,
          country: input.country ?? null,
          owner_id: ownerId,
          created_at: toDbTime(now),
          updated_at: toDbTime(now),
        });
        await replaceAccountDomains(trx, id, normalizeDomains(input.domains ?? []));
        await insertEvent(trx, {
          type: 'account.created',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'account', id },
          payload: { name: input.name },
        });
        return (await present(trx, [(await findAccountById(trx, id))!]))[0]!;
      });
    },

    async updateAccount(actor: Actor | null, id: string, input: UpdateAccountBody): Promise<Account> {
      const who = authorize(actor, 'accounts.write');
      const now = clock.now();
      return write(async (trx) => {
        const { row, visibility } = await loadVisible(trx, who, id);
        if (input.ownerId !== undefined && input.ownerId !== row.owner_id) {
          // A rep may see an account through one of their contacts; that does not make it theirs to give away.
          if (!canSee(visibility, row.owner_id)) {
            throw fieldError(
              'accounts.invalid_owner',
              'ownerId',
              "only the owner's team can reassign this account",
            );
          }
          await checkOwner(trx, visibility, input.ownerId, 'accounts.invalid_owner', 'accounts');
        }
        await updateAccountRow(trx, id, {
          ...(input.name !== undefined && {
            name: input.name.trim(),
            name_key: normalizeCompanyName(input.name),
          }),
          ...(input.employeeCount !== undefined && { employee_count: input.employeeCount }),
          ...(input.industry !== undefined && { industry: input.industry }),
          ...(input.country !== undefined && { country: input.country }),
          ...(input.ownerId !== undefined && { owner_id: input.ownerId }),
          updated_at: toDbTime(now),
        });
        if (input.domains) await replaceAccountDomains(trx, id, normalizeDomains(input.domains));
        await insertEvent(trx, {
          type: 'account.updated',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'account', id },
          payload: { fields: Object.keys(input) },
        });
        return (await present(trx, [(await findAccountById(trx, id))!]))[0]!;
      });
    },

    /**
     * Accounts that look like the same company, and why: "Bakkerij Jansen" made from a free-mail
     * sign-up and "Bakkerij Jansen B.V." on its own domain. Of those the reader may see.
     */
    async duplicates(actor: Actor | null, id: string): Promise<{ data: AccountDuplicate[] }> {
      const who = authorize(actor, 'accounts.read');
      const { row, visibility } = await loadVisible(db, who, id);
      const [self] = await present(db, [row]);
      const candidates = await present(
        db,
        await findAccountCandidates(
          db,
          {
            id,
            nameKey: row.name_key ?? normalizeCompanyName(row.name),
            domainNames: self!.domains.map((d) => d.split('.').slice(0, -1).join('').replace(/-/g, '')),
          },
          visibility,
          50,
        ),
      );
      const data = candidates.flatMap((account) => {
        const because = accountLikeness(self!, account);
        return because ? [{ account, because }] : [];
      });
      return { data };
    },

    /**
     * Merges a duplicate into this account: its domains, people and deals move over, blank fields
     * are filled from it, and it is removed. The duplicate as it was is kept in the audit log
     * (`account.merged`). A rep or manager merges away only an account of their own or their
     * team's (or nobody's): seeing an account through one lead does not make it theirs to remove.
     */
    async merge(actor: Actor | null, id: string, input: MergeAccountBody): Promise<Account> {
      const who = authorize(actor, 'accounts.write');
      if (id === input.duplicateId)
        throw fieldError('accounts.merge_same', 'duplicateId', 'is this account itself');
      const now = clock.now();
      return write(async (trx) => {
        const { row: survivor, visibility } = await loadVisible(trx, who, id);
        const { row: duplicate } = await loadVisible(trx, who, input.duplicateId);
        if (
          visibility.kind === 'owned_by' &&
          duplicate.owner_id !== null &&
          !canSee(visibility, duplicate.owner_id)
        )
          throw createError('accounts.merge_forbidden');
        const [before] = await present(trx, [duplicate]);
        await moveAccountDependants(trx, duplicate.id, survivor.id);
        await deleteAccount(trx, duplicate.id);
        const fill = <K extends keyof AccountRow>(key: K) =>
          survivor[key] === null && duplicate[key] !== null ? { [key]: duplicate[key] } : {};
        await updateAccountRow(trx, survivor.id, {
          ...fill('employee_count'),
          ...fill('industry'),
          ...fill('country'),
          ...fill('owner_id'),
          updated_at: toDbTime(now),
        });
        await insertEvent(trx, {
          type: 'account.merged',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'account', id: survivor.id },
          payload: { merged: before },
        });
        return (await present(trx, [(await findAccountById(trx, survivor.id))!]))[0]!;
      });
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
