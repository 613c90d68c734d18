import type { Role } from '../access/roles.ts';

/** Roles a user's manager may have: the escalation ladder rep → manager → director. */
const allowedManagerRoles: Record<Role, readonly Role[]> = {
  sales_rep: ['sales_manager'],
  sales_manager: ['director'],
  marketing: ['marketing', 'director'],
  director: ['director'],
  admin: ['admin', 'director'],
};

export type ManagerChainResult =
  | { kind: 'ok' }
  | { kind: 'invalid'; reason: 'manager_role'; allowedRoles: readonly Role[] }
  | { kind: 'invalid'; reason: 'self' }
  | { kind: 'invalid'; reason: 'cycle' }
  | { kind: 'invalid'; reason: 'manager_inactive' };

export interface ManagerCandidate {
  id: string;
  role: Role;
  isActive: boolean;
  /** The manager chain above the candidate, nearest first (ids only). */
  chainAbove: readonly string[];
}

/**
 * Checks that `manager` may manage a user with `userId` and `role`: the role fits the escalation
 * ladder, the manager is active, and the chain has no loop.
 *
 * @example
 * checkManagerChain('u1', 'sales_rep', { id: 'm1', role: 'sales_manager', isActive: true, chainAbove: ['d1'] })
 * // { kind: 'ok' }
 */
export function checkManagerChain(userId: string, role: Role, manager: ManagerCandidate): ManagerChainResult {
  if (manager.id === userId) return { kind: 'invalid', reason: 'self' };
  const allowedRoles = allowedManagerRoles[role];
  if (!allowedRoles.includes(manager.role)) return { kind: 'invalid', reason: 'manager_role', allowedRoles };
  if (!manager.isActive) return { kind: 'invalid', reason: 'manager_inactive' };
  if (manager.chainAbove.includes(userId)) return { kind: 'invalid', reason: 'cycle' };
  return { kind: 'ok' };
}

/** Which roles may manage a team. Reps never do. */
export function canManageTeam(role: Role): boolean {
  return role === 'sales_manager' || role === 'director' || role === 'marketing';
}
