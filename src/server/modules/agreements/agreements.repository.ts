import { sql } from 'kysely';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { fromDbTime, fromDbTimeOrNull } from '../../db/dialect.ts';
import type { AgreementsTable } from '../../db/tables.ts';
import {
  spansOver,
  versionInForce,
  type AgreementSpan,
  type AgreementVersion,
} from '../../../domain/planning/agreement.ts';

export type AgreementRow = Selectable<AgreementsTable>;

export async function findAgreements(db: Db): Promise<AgreementRow[]> {
  return db.selectFrom('agreements').selectAll().orderBy('version', 'desc').execute();
}

export async function findAgreementByVersion(db: Db, version: number): Promise<AgreementRow | undefined> {
  return db.selectFrom('agreements').selectAll().where('version', '=', version).executeTakeFirst();
}

export async function findLatestVersionNumber(db: Db): Promise<number> {
  const row = await db
    .selectFrom('agreements')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}

export async function insertAgreement(db: Db, row: Insertable<AgreementsTable>): Promise<void> {
  await db.insertInto('agreements').values(row).execute();
}

/**
 * Changes a version only while it is still in one of the given states (compare-and-set), so two
 * requests racing to propose, sign or withdraw it cannot both pass the check. False: it was not.
 */
export async function updateAgreementRow(
  db: Db,
  version: number,
  whileIn: readonly string[],
  patch: Updateable<AgreementsTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('agreements')
    .set(patch)
    .where('version', '=', version)
    .where('state', 'in', whileIn)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The rows as the domain reads them. */
export function toVersion(row: AgreementRow): AgreementVersion {
  return {
    version: row.version,
    state: row.state as AgreementVersion['state'],
    effectiveFromMs: fromDbTime(row.effective_from).getTime(),
    marketingSignerId: row.marketing_signer_id,
    salesSignerId: row.sales_signer_id,
    marketingSignedAtMs: fromDbTimeOrNull(row.marketing_signed_at)?.getTime() ?? null,
    salesSignedAtMs: fromDbTimeOrNull(row.sales_signed_at)?.getTime() ?? null,
  };
}

/** The signed versions only (what reports need), oldest first. */
export async function findSignedVersions(db: Db): Promise<AgreementVersion[]> {
  const rows = await db
    .selectFrom('agreements')
    .selectAll()
    .where('state', '=', 'signed')
    .orderBy('version')
    .execute();
  return rows.map(toVersion);
}

/** The version in force in each part of [from, to), as reports name it. */
export async function agreementSpans(
  db: Db,
  from: Date,
  to: Date,
): Promise<{ version: number | null; from: string; to: string }[]> {
  const spans: AgreementSpan[] = spansOver(await findSignedVersions(db), from.getTime(), to.getTime());
  return spans.map((s) => ({
    version: s.version,
    from: new Date(s.fromMs).toISOString(),
    to: new Date(s.toMs).toISOString(),
  }));
}

/** Contacts that entered a stage in [from, to). */
export async function countStageEntries(
  db: Db,
  input: { stage: string; from: string; to: string },
): Promise<number> {
  const row = await db
    .selectFrom('stage_changes')
    .select(sql<number | string>`count(distinct contact_id)`.as('n'))
    .where('to_stage', '=', input.stage)
    .where('occurred_at', '>=', input.from)
    .where('occurred_at', '<', input.to)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Reads the signed versions once and answers, for any instant, the version in force then: what a
 * stage change stores beside itself (one query per batch, however many changes it stamps).
 */
export async function loadAgreementStamp(db: Db): Promise<(at: Date | string) => number | null> {
  const versions = await findSignedVersions(db);
  if (versions.length === 0) return () => null;
  return (at) => versionInForce(versions, fromDbTime(at).getTime())?.version ?? null;
}

/**
 * Puts one head's signature on a proposed version (only if that side has not signed), then marks
 * it signed when both signatures are there. The second statement reads the row after the first,
 * so when both heads sign at the same moment, the later transaction completes it. Returns whether
 * the signature was taken and whether the version is now signed.
 */
export async function signAgreementRow(
  db: Db,
  input: { version: number; side: 'marketing' | 'sales'; at: string },
): Promise<{ signed: boolean; complete: boolean }> {
  const column = input.side === 'marketing' ? 'marketing_signed_at' : 'sales_signed_at';
  const signed = await db
    .updateTable('agreements')
    .set({ [column]: input.at, updated_at: input.at })
    .where('version', '=', input.version)
    .where('state', '=', 'proposed')
    .where(column, 'is', null)
    .executeTakeFirst();
  if (Number(signed.numUpdatedRows) !== 1) return { signed: false, complete: false };
  const complete = await db
    .updateTable('agreements')
    .set({ state: 'signed', updated_at: input.at })
    .where('version', '=', input.version)
    .where('state', '=', 'proposed')
    .where('marketing_signed_at', 'is not', null)
    .where('sales_signed_at', 'is not', null)
    .executeTakeFirst();
  return { signed: true, complete: Number(complete.numUpdatedRows) === 1 };
}
