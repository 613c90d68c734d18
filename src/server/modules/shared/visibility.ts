import type { Actor, Visibility } from '../../../domain/access/roles.ts';
import { decideVisibility } from '../../../domain/access/roles.ts';
import type { Db } from '../../db/database.ts';
import { findManagedUserIds } from '../users/users.repository.ts';

/** Loads what record visibility depends on (a manager's team) and lets the domain decide. */
export async function loadVisibility(db: Db, actor: Actor): Promise<Visibility> {
  const managed =
    actor.kind === 'user' && actor.role === 'sales_manager' ? await findManagedUserIds(db, actor.userId) : [];
  return decideVisibility(actor, managed);
}
