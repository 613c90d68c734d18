import { WorkingHours, type User } from '../../../contract/users.ts';
import { fromDbBool, fromDbTime, fromDbTimeOrNull } from '../../db/dialect.ts';
import type { UserRow } from '../../db/tables.ts';
import type { Language } from '../../../contract/common.ts';
import type { Role } from '../../../domain/access/roles.ts';
import { readJson } from '../../db/json-column.ts';

export function toUser(row: UserRow, teamIds: string[], absentUntil: Date | null = null): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    language: row.language as Language,
    timeZone: row.time_zone,
    workingHours: readJson(WorkingHours, row.working_hours, 'users.working_hours'),
    managerId: row.manager_id,
    isActive: fromDbBool(row.is_active),
    teamIds,
    absentUntil: absentUntil?.toISOString() ?? null,
    createdAt: fromDbTime(row.created_at).toISOString(),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
    deactivatedAt: fromDbTimeOrNull(row.deactivated_at)?.toISOString() ?? null,
  };
}
