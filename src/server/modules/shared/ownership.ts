import { canSee, type Actor, type Visibility } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool } from '../../db/dialect.ts';
import { findUserById } from '../users/users.repository.ts';
import { fieldError } from './errors.ts';

type InvalidOwnerCode = 'contacts.invalid_owner' | 'accounts.invalid_owner';

/**
 * Checks that `ownerId` may own a record the actor writes: an active user, and, for actors who see
 * only their own or their team's records, one of those (so nobody hands a record to someone they
 * then cannot see). Null (no owner) is left to the caller.
 */
export async function checkOwner(
  conn: Db,
  visibility: Visibility,
  ownerId: string | null | undefined,
  code: InvalidOwnerCode,
  noun: string,
): Promise<void> {
  if (ownerId === undefined || ownerId === null) return;
  const owner = await findUserById(conn, ownerId);
  if (!owner || !fromDbBool(owner.is_active)) throw fieldError(code, 'ownerId', 'not an active user');
  if (!canSee(visibility, ownerId)) {
    throw fieldError(code, 'ownerId', `you can assign ${noun} only to yourself or your team`);
  }
}

/**
 * The owner of a new record: the one asked for, or else the rep or manager who creates it (they
 * must be able to see what they made). Marketing, directors and admins may leave it unowned.
 */
export async function resolveNewOwner(
  conn: Db,
  who: Actor,
  visibility: Visibility,
  requested: string | null | undefined,
  code: InvalidOwnerCode,
  noun: string,
): Promise<string | null> {
  const ownedBySomeone = visibility.kind === 'owned_by';
  const ownerId =
    requested !== undefined ? requested : who.kind === 'user' && ownedBySomeone ? who.userId : null;
  if (ownedBySomeone && ownerId === null) {
    throw fieldError(code, 'ownerId', `you can create ${noun} only for yourself or your team`);
  }
  await checkOwner(conn, visibility, ownerId, code, noun);
  return ownerId;
}
