import type { User, WorkingHours } from '../../../contract/users.ts';
import { fromDbBool, fromDbJson, fromDbTime, fromDbTimeOrNull } from '../../db/dialect.ts';
import type { UserRow } from '../../db/tables.ts';
import type { Language } from '../../../contract/common.ts';
import type { Role } from '../../../domain/access/roles.ts';

export function toUser(row: UserRow, teamIds: string[]): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    language: row.language as Language,
    timeZone: row.time_zone,
    workingHours: fromDbJson(row.working_hours) as WorkingHours,
    managerId: row.manager_id,
    isActive: fromDbBool(row.is_active),
    teamIds,
    createdAt: fromDbTime(row.created_at).toISOString(),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
    deactivatedAt: fromDbTimeOrNull(row.deactivated_at)?.toISOString() ?? null,
  };
}
