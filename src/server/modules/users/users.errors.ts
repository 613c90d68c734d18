import type { Role } from '../../../domain/access/roles.ts';
import type { ManagerChainResult } from '../../../domain/people/check-manager-chain.ts';
import { createError, fieldError } from '../shared/errors.ts';

export const userNotFound = () => createError('users.not_found');
export const userEmailTaken = () => fieldError('users.email_taken', 'email', 'a user with this email exists');
export const invalidTimeZone = (field = 'timeZone') =>
  fieldError('users.invalid_time_zone', field, 'not an IANA time zone such as Europe/Amsterdam');
export const cannotDeactivateSelf = () => createError('users.cannot_deactivate_self');
export const managerNotFound = () => fieldError('users.invalid_manager', 'managerId', 'no such user');

export function invalidManager(result: Exclude<ManagerChainResult, { kind: 'ok' }>, role: Role) {
  switch (result.reason) {
    case 'self':
      return fieldError('users.invalid_manager', 'managerId', 'a user cannot manage themselves');
    case 'cycle':
      return fieldError('users.invalid_manager', 'managerId', 'this would make the manager chain a loop');
    case 'manager_inactive':
      return fieldError('users.invalid_manager', 'managerId', 'the manager is deactivated');
    case 'manager_role':
      return fieldError(
        'users.invalid_manager',
        'managerId',
        `a ${role}'s manager must have the role ${result.allowedRoles.join(' or ')}`,
      );
  }
}

export const invalidWorkingHours = (problem: { field: string; reason: string }) =>
  fieldError('users.invalid_working_hours', `workingHours.${problem.field}`, problem.reason);
