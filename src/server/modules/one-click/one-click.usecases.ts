import type { Db } from '../../db/database.ts';
import { toDbTime } from '../../db/dialect.ts';
import { newId } from '../../platform/ids.ts';
import { hashToken, newToken } from '../../platform/secrets.ts';
import { insertActionLinks } from './one-click.repository.ts';

export const oneClickActions = ['accept', 'reject', 'log_call'] as const;
export type OneClickAction = (typeof oneClickActions)[number];

/** How long a link in an email works: a week, enough for a rep back from a few days off. */
export const actionLinkTtlMs = 7 * 24 * 3_600_000;

/**
 * Issues the one-click links of one email, in the caller's transaction: one single-use token per
 * action for this rep and this lead. Only the tokens' hashes are stored; the tokens ride in the
 * email (in the link's fragment, which no server or proxy logs).
 */
export async function issueActionLinks({
  trx,
  userId,
  contactId,
  now,
}: {
  trx: Db;
  userId: string;
  contactId: string;
  now: Date;
}): Promise<Record<OneClickAction, string>> {
  const tokens = Object.fromEntries(oneClickActions.map((action) => [action, newToken()])) as Record<
    OneClickAction,
    string
  >;
  await insertActionLinks(
    trx,
    oneClickActions.map((action) => ({
      id: newId(),
      token_hash: hashToken(tokens[action]),
      action,
      user_id: userId,
      contact_id: contactId,
      expires_at: toDbTime(new Date(now.getTime() + actionLinkTtlMs)),
      used_at: null,
      created_at: toDbTime(now),
    })),
  );
  return tokens;
}
