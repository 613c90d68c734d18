import type { CreateTeamBody, Team, UpdateTeamBody } from '../../../contract/teams.ts';
import type { Actor, Role } from '../../../domain/access/roles.ts';
import { canManageTeam } from '../../../domain/people/check-manager-chain.ts';
import type { Db } from '../../db/database.ts';
import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { TeamRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { inTransaction } from '../shared/transaction.ts';
import { findUserById } from '../users/users.repository.ts';
import {
  countExistingUsers,
  deleteTeamRow,
  findMemberIdsByTeams,
  findTeamById,
  findTeams,
  insertTeam,
  replaceTeamMembers,
  updateTeamRow,
} from './teams.repository.ts';

function toTeam(row: TeamRow, memberIds: string[]): Team {
  return {
    id: row.id,
    name: row.name,
    managerId: row.manager_id,
    memberIds,
    createdAt: fromDbTime(row.created_at).toISOString(),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
  };
}

export function createTeamsService(deps: ServiceDeps) {
  const { db, clock } = deps;

  async function present(conn: Db, id: string): Promise<Team> {
    const row = await findTeamById(conn, id);
    if (!row) throw createError('teams.not_found');
    const members = await findMemberIdsByTeams(conn, [id]);
    return toTeam(row, members.get(id) ?? []);
  }

  async function checkManager(conn: Db, managerId: string | null | undefined): Promise<void> {
    if (!managerId) return;
    const manager = await findUserById(conn, managerId);
    if (!manager) throw fieldError('teams.invalid_manager', 'managerId', 'no such user');
    if (!canManageTeam(manager.role as Role)) {
      throw fieldError('teams.invalid_manager', 'managerId', `a ${manager.role} cannot manage a team`);
    }
  }

  async function checkMembers(conn: Db, memberIds: readonly string[] | undefined): Promise<void> {
    if (!memberIds || memberIds.length === 0) return;
    if ((await countExistingUsers(conn, memberIds)) !== memberIds.length) {
      throw fieldError('teams.invalid_member', 'memberIds', 'contains an id that is not a user');
    }
  }

  const write = <T>(work: (trx: Db) => Promise<T>) =>
    inTransaction(db, work, () => fieldError('teams.name_taken', 'name', 'a team with this name exists'));

  return {
    async listTeams(actor: Actor | null): Promise<Team[]> {
      authorize(actor, 'teams.read');
      const rows = await findTeams(db);
      const members = await findMemberIdsByTeams(
        db,
        rows.map((r) => r.id),
      );
      return rows.map((r) => toTeam(r, members.get(r.id) ?? []));
    },

    async getTeam(actor: Actor | null, id: string): Promise<Team> {
      authorize(actor, 'teams.read');
      return present(db, id);
    },

    async createTeam(actor: Actor | null, input: CreateTeamBody): Promise<Team> {
      const who = authorize(actor, 'teams.write');
      const id = newId();
      const now = clock.now();
      return write(async (trx) => {
        await checkManager(trx, input.managerId);
        await checkMembers(trx, input.memberIds);
        await insertTeam(trx, {
          id,
          name: input.name.trim(),
          manager_id: input.managerId ?? null,
          created_at: toDbTime(now),
          updated_at: toDbTime(now),
        });
        await replaceTeamMembers(trx, id, input.memberIds ?? [], now);
        await insertEvent(trx, {
          type: 'team.created',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'team', id },
          payload: { name: input.name },
        });
        return present(trx, id);
      });
    },

    async updateTeam(actor: Actor | null, id: string, input: UpdateTeamBody): Promise<Team> {
      const who = authorize(actor, 'teams.write');
      const now = clock.now();
      return write(async (trx) => {
        if (!(await findTeamById(trx, id))) throw createError('teams.not_found');
        await checkManager(trx, input.managerId);
        await checkMembers(trx, input.memberIds);
        await updateTeamRow(trx, id, {
          ...(input.name !== undefined && { name: input.name.trim() }),
          ...(input.managerId !== undefined && { manager_id: input.managerId }),
          updated_at: toDbTime(now),
        });
        if (input.memberIds) await replaceTeamMembers(trx, id, input.memberIds, now);
        await insertEvent(trx, {
          type: 'team.updated',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'team', id },
          payload: { fields: Object.keys(input) },
        });
        return present(trx, id);
      });
    },

    async deleteTeam(actor: Actor | null, id: string): Promise<void> {
      const who = authorize(actor, 'teams.write');
      const now = clock.now();
      await write(async (trx) => {
        if (!(await findTeamById(trx, id))) throw createError('teams.not_found');
        await deleteTeamRow(trx, id);
        await insertEvent(trx, {
          type: 'team.deleted',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'team', id },
          payload: {},
        });
      });
    },
  };
}

export type TeamsService = ReturnType<typeof createTeamsService>;
