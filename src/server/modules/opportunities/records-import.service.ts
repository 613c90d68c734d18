/**
 * Bringing a sales organisation over from another CRM: its people (with their managers and
 * teams), its accounts and its opportunities, from CSV files. Streams the file; each row is
 * stored in its own transaction or refused with the column and the reason; running the same file
 * twice creates nothing twice (people by email, accounts by name, opportunities by their id in
 * the other system).
 */
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { localDatePattern } from '../../../contract/common.ts';
import { openCsv, rowTextProblem, type CsvEncoding } from '../shared/csv-input.ts';
import { roles, type Actor, type Role } from '../../../domain/access/roles.ts';
import { checkManagerChain } from '../../../domain/people/check-manager-chain.ts';
import { normalizeCompanyName } from '../../../domain/capture/match-account.ts';
import { columnsFor, stageFor, type RecordKind } from '../../../domain/capture/record-columns.ts';
import { countryCode, normalizeEmail } from '../../../domain/people/normalize.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { insertAccount, updateAccountRow } from '../accounts/accounts.repository.ts';
import { authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError } from '../shared/errors.ts';
import {
  findTeams,
  insertTeam,
  replaceTeamMembers,
  findMemberIdsByTeams,
} from '../teams/teams.repository.ts';
import {
  findManagerChain,
  findUserByEmail,
  findUserById,
  findUsers,
  insertUser,
  updateUserRow,
} from '../users/users.repository.ts';
import {
  findOpportunityByExternalId,
  findOpportunityStages,
  insertOpportunity,
  insertOpportunityStageChange,
  updateOpportunityIf,
} from './opportunities.repository.ts';

export interface RecordImportOptions {
  kind: RecordKind;
  /** Column → field, for headers the importer does not recognise. */
  overrides: Record<string, string>;
  dryRun: boolean;
  /** People without an email column get `first.last@<emailDomain>`. */
  emailDomain?: string;
  /** Opportunities: the currency of the amounts (major units in the file). */
  currency?: string;
  onProgress?: (rows: number) => void;
}

export interface RecordImportReport {
  kind: RecordKind;
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  rejected: number;
  errors: { row: number; column: string | null; reason: string }[];
  mapping: Record<string, string>;
  unmappedColumns: string[];
  /** How the file was read (shared/csv-input.ts). */
  encoding: CsvEncoding;
}

/** The contract's rule for a day: YYYY-MM-DD in the years 1900 to 2999. */
const saneDay = new RegExp(localDatePattern);

/** The records of a parser, with an error of the file itself (a stray quote) as a 400 naming it. */
async function* notCsvAsProblem<T>(records: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* records;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw createError('http.validation_failed', `The file is not valid CSV: ${error.message}`, [
      { field: 'body', reason: error.message },
    ]);
  }
}

class RowError extends Error {
  constructor(
    readonly column: string | null,
    reason: string,
  ) {
    super(reason);
  }
}

const slug = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.|\.$/g, '');

export function createRecordsImportService(deps: ServiceDeps) {
  const { db, clock } = deps;

  async function usersByName(conn: Db) {
    const byName = new Map<string, { id: string; role: string }>();
    for (const u of await findUsers(conn, {}, 100_000)) byName.set(u.name.trim().toLowerCase(), u);
    return byName;
  }

  return {
    async importCsv(
      actor: Actor | null,
      input: Readable,
      options: RecordImportOptions,
    ): Promise<RecordImportReport> {
      authorize(actor, options.kind === 'opportunities' ? 'opportunities.write' : 'users.write');
      const report: RecordImportReport = {
        kind: options.kind,
        dryRun: options.dryRun,
        rows: 0,
        created: 0,
        updated: 0,
        rejected: 0,
        errors: [],
        mapping: {},
        unmappedColumns: [],
        encoding: 'utf-8',
      };
      const { text, encoding, delimiter } = await openCsv(input, { delimiter: ',' });
      report.encoding = encoding;
      const parser = text.pipe(
        parse({
          columns: true,
          bom: true,
          delimiter,
          trim: true,
          skip_empty_lines: true,
          relax_column_count: true,
        }),
      );
      let columns: Partial<Record<string, string>> | undefined;
      const stages = (await findOpportunityStages(db)).map((s) => ({
        key: s.key,
        outcome: s.outcome,
        names: [s.name_en, s.name_nl],
        active: fromDbBool(s.is_active),
      }));
      const people = await usersByName(db);
      const currency = (options.currency ?? 'EUR').toUpperCase();
      for await (const record of notCsvAsProblem(parser as AsyncIterable<Record<string, string>>)) {
        report.rows += 1;
        if (!columns) {
          const mapped = columnsFor(options.kind, Object.keys(record), options.overrides);
          if (mapped.unknownFields.length > 0)
            throw createError('http.validation_failed', `--map: no field ${mapped.unknownFields.join(', ')}`);
          columns = mapped.columns;
          report.mapping = Object.fromEntries(
            Object.entries(columns).map(([field, column]): [string, string] => [column ?? '', field]),
          );
          report.unmappedColumns = mapped.unused;
          if (!columns.name && options.kind !== 'opportunities')
            throw createError('http.validation_failed', 'no column holds the name');
          if (options.kind === 'opportunities' && !columns.externalId)
            throw createError('http.validation_failed', 'no column holds the opportunity id');
        }
        const cell = (field: string) => {
          const column = columns![field];
          const value = column ? record[column]?.trim() : undefined;
          return value === undefined || value === '' ? null : value;
        };
        const columnOf = (field: string) => columns![field] ?? field;
        try {
          const bad = rowTextProblem(record, encoding);
          if (bad) throw new RowError(bad.column, bad.reason);
          const outcome = await db.transaction().execute(async (trx) => {
            const now = clock.now();
            if (options.kind === 'users') {
              const name = cell('name')!;
              const emailOf = (person: string) => {
                if (cell('email') && person === name) return normalizeEmail(cell('email')!);
                if (!options.emailDomain)
                  throw new RowError(
                    columnOf('email'),
                    'no email; give --email-domain to make one from the name',
                  );
                return `${slug(person)}@${options.emailDomain}`;
              };
              const upsert = async (person: string, role: string, managerId: string | null) => {
                const email = emailOf(person);
                const existing = await findUserByEmail(trx, email);
                if (existing) {
                  if (!options.dryRun && managerId && existing.manager_id !== managerId)
                    await updateUserRow(trx, existing.id, {
                      manager_id: managerId,
                      updated_at: toDbTime(now),
                    });
                  return { id: existing.id, created: false };
                }
                const id = newId();
                if (!options.dryRun)
                  await insertUser(trx, {
                    id,
                    email,
                    name: person,
                    role,
                    language: 'en',
                    time_zone: 'Europe/Amsterdam',
                    manager_id: managerId,
                    password_hash: null,
                    is_active: true,
                    created_at: toDbTime(now),
                    updated_at: toDbTime(now),
                    deactivated_at: null,
                  });
                people.set(person.toLowerCase(), { id, role });
                return { id, created: true };
              };
              const role = (cell('role') ?? 'sales_rep') as Role;
              if (!(roles as readonly string[]).includes(role))
                throw new RowError(columnOf('role'), `unknown role ${role}`);
              const managerName = cell('manager');
              const manager = managerName ? await upsert(managerName, 'sales_manager', null) : null;
              if (manager) {
                // The same escalation-ladder rule as for people created one by one.
                const row = await findUserById(trx, manager.id);
                const existing = await findUserByEmail(trx, emailOf(name));
                const verdict = checkManagerChain(existing?.id ?? 'new', role, {
                  id: manager.id,
                  role: (row?.role ?? 'sales_manager') as Role,
                  isActive: row ? fromDbBool(row.is_active) : true,
                  chainAbove: row ? await findManagerChain(trx, manager.id) : [],
                });
                if (verdict.kind === 'invalid')
                  throw new RowError(
                    columnOf('manager'),
                    verdict.reason === 'manager_role'
                      ? `a ${role}'s manager must be ${verdict.allowedRoles.join(' or ')}`
                      : `cannot manage this person (${verdict.reason})`,
                  );
              }
              const person = await upsert(name, role, manager?.id ?? null);
              const teamName = cell('team');
              if (teamName && !options.dryRun) {
                let team = (await findTeams(trx)).find((t) => t.name === teamName);
                if (!team) {
                  const id = newId();
                  await insertTeam(trx, {
                    id,
                    name: teamName,
                    manager_id: manager?.id ?? null,
                    created_at: toDbTime(now),
                    updated_at: toDbTime(now),
                  });
                  team = (await findTeams(trx)).find((t) => t.id === id)!;
                }
                const members = (await findMemberIdsByTeams(trx, [team.id])).get(team.id) ?? [];
                if (!members.includes(person.id))
                  await replaceTeamMembers(trx, team.id, [...members, person.id], now);
              }
              return person.created ? 'created' : 'updated';
            }
            if (options.kind === 'accounts') {
              const name = cell('name')!;
              const employees = cell('employees');
              if (employees !== null && !/^\d+$/.test(employees))
                throw new RowError(columnOf('employees'), 'not a whole number');
              const country = cell('country');
              const fields = {
                industry: cell('industry'),
                employee_count: employees === null ? null : Number(employees),
                country: country ? (countryCode(country) ?? null) : null,
              };
              const key = normalizeCompanyName(name);
              const existing = await trx
                .selectFrom('accounts')
                .select('id')
                .where('name_key', '=', key)
                .executeTakeFirst();
              if (options.dryRun) return existing ? 'updated' : 'created';
              if (existing) {
                await updateAccountRow(trx, existing.id, { ...fields, updated_at: toDbTime(now) });
                return 'updated';
              }
              await insertAccount(trx, {
                id: newId(),
                name,
                name_key: key,
                ...fields,
                owner_id: null,
                created_at: toDbTime(now),
                updated_at: toDbTime(now),
              });
              return 'created';
            }
            // Opportunities.
            const externalId = cell('externalId');
            if (!externalId) throw new RowError(columnOf('externalId'), 'is required');
            const stageValue = cell('stage');
            if (!stageValue) throw new RowError(columnOf('stage'), 'is required');
            const stageKey = stageFor(
              stageValue,
              stages.filter((s) => s.active),
            );
            if (!stageKey) throw new RowError(columnOf('stage'), `no stage matches "${stageValue}"`);
            const stage = stages.find((s) => s.key === stageKey)!;
            const ownerName = cell('owner');
            const owner = ownerName ? people.get(ownerName.toLowerCase()) : undefined;
            if (ownerName && !owner)
              throw new RowError(columnOf('owner'), `no user named ${ownerName}; import the people first`);
            const accountName = cell('account');
            const account = accountName
              ? await trx
                  .selectFrom('accounts')
                  .select('id')
                  .where('name_key', '=', normalizeCompanyName(accountName))
                  .executeTakeFirst()
              : undefined;
            if (accountName && !account)
              throw new RowError(
                columnOf('account'),
                `no account named ${accountName}; import the accounts first`,
              );
            const date = (field: string) => {
              const value = cell(field);
              if (value === null) return null;
              if (!saneDay.test(value.slice(0, 10)) || Number.isNaN(Date.parse(value.slice(0, 10))))
                throw new RowError(columnOf(field), 'not a date (YYYY-MM-DD) in the years 1900 to 2999');
              return value.slice(0, 10);
            };
            const createdOn = date('createdOn');
            const closedOn = stage.outcome === 'open' ? null : date('closedOn');
            if (stage.outcome !== 'open' && !closedOn)
              throw new RowError(columnOf('closedOn'), 'a won or lost deal needs its close date');
            const amount = cell('amount');
            if (amount !== null && !/^\d+(\.\d{1,2})?$/.test(amount))
              throw new RowError(columnOf('amount'), 'not an amount (major units, up to two decimals)');
            const product = cell('product');
            const createdAt = createdOn ? `${createdOn}T00:00:00.000Z` : toDbTime(now);
            const fields = {
              name: cell('name') ?? ([product, accountName].filter(Boolean).join(' — ') || externalId),
              account_id: account?.id ?? null,
              owner_id: owner?.id ?? null,
              stage: stage.key,
              status: stage.outcome,
              amount_minor: amount === null ? null : Math.round(Number(amount) * 100),
              currency: cell('currency')?.toUpperCase() ?? currency,
              product,
              closed_on: closedOn,
              lost_reason: null,
              won_reason: null,
              stage_entered_at: closedOn ? `${closedOn}T00:00:00.000Z` : createdAt,
              updated_at: toDbTime(now),
            };
            const existing = await findOpportunityByExternalId(trx, externalId);
            if (options.dryRun) return existing ? 'updated' : 'created';
            if (existing) {
              await updateOpportunityIf(trx, existing.id, null, fields);
              return 'updated';
            }
            const id = newId();
            await insertOpportunity(trx, {
              id,
              external_id: externalId,
              contact_id: null,
              expected_close_on: null,
              created_at: createdAt,
              ...fields,
            });
            await insertOpportunityStageChange(trx, {
              id: newId(),
              opportunity_id: id,
              from_stage: null,
              to_stage: stage.key,
              occurred_at: fields.stage_entered_at,
              actor_kind: 'system',
              actor_id: null,
              reason: null,
              note: 'imported',
            });
            return 'created';
          });
          report[outcome] += 1;
        } catch (error) {
          if (!(error instanceof RowError)) throw error;
          report.rejected += 1;
          if (report.errors.length < 1000)
            report.errors.push({ row: report.rows + 1, column: error.column, reason: error.message });
        }
        if (report.rows % 500 === 0) options.onProgress?.(report.rows);
      }
      options.onProgress?.(report.rows);
      return report;
    },
  };
}

export type RecordsImportService = ReturnType<typeof createRecordsImportService>;
