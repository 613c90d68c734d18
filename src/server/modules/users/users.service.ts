import type {
  Absence,
  AbsenceBody,
  CreateUserBody,
  ListUsersQuery,
  UpdateMeBody,
  UpdateUserBody,
  User,
} from '../../../contract/users.ts';
import type { Actor, Role } from '../../../domain/access/roles.ts';
import { checkManagerChain } from '../../../domain/people/check-manager-chain.ts';
import { isValidTimeZone, normalizeEmail } from '../../../domain/people/normalize.ts';
import { checkWorkingHours } from '../../../domain/routing/working-hours.ts';
import type { Db } from '../../db/database.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import type { UserRow } from '../../db/tables.ts';
import { newId } from '../../platform/ids.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { createError, fieldError } from '../shared/errors.ts';
import { insertEvent } from '../shared/events.repository.ts';
import { decodeCursor, toPage } from '../shared/pagination.ts';
import { inTransaction } from '../shared/transaction.ts';
import {
  cannotDeactivateSelf,
  invalidManager,
  invalidTimeZone,
  invalidWorkingHours,
  managerNotFound,
  userEmailTaken,
  userNotFound,
} from './users.errors.ts';
import { toUser } from './users.presenter.ts';
import {
  countUsers,
  findManagerChain,
  findAbsentUntil,
  findTeamIdsByUsers,
  findUserByEmail,
  findAbsences,
  findCompanyDefaults,
  findUserById,
  insertAbsence,
  findUsers,
  insertUser,
  updateUserRow,
} from './users.repository.ts';

export const defaultTimeZone = 'Europe/Amsterdam';

function checkHours(hours: CreateUserBody['workingHours']): void {
  const problem = hours ? checkWorkingHours(hours) : null;
  if (problem) throw invalidWorkingHours(problem);
}

/**
 * Ending a person's sign-ins belongs to auth, which is built on users; the composition root hands
 * it in, so users imports nothing of auth.
 */
export interface UsersPorts {
  endSessionsOf(trx: Db, userId: string): Promise<unknown>;
  /** Checks a current password under the sign-in limit (a wrong one counts as a failed sign-in). */
  checkPassword(email: string, password: string, ip: string): Promise<boolean>;
  /** Ends a user's sessions but the one given (the caller's), in the caller's transaction. */
  endOtherSessions(trx: Db, userId: string, keepToken: string | null): Promise<void>;
}

/** Where a change to one's own profile comes from: the address, and the session that asked. */
export interface RequestOrigin {
  ip: string;
  sessionToken: string | null;
}

export function createUsersService(deps: ServiceDeps, ports: UsersPorts) {
  const { db, clock, passwords } = deps;

  async function present(conn: Db, row: UserRow): Promise<User> {
    const teams = await findTeamIdsByUsers(conn, [row.id]);
    const absent = await findAbsentUntil(conn, [row.id], clock.now());
    return toUser(row, teams.get(row.id) ?? [], absent.get(row.id) ?? null);
  }

  async function checkManager(conn: Db, userId: string, role: Role, managerId: string | null): Promise<void> {
    if (managerId === null) return;
    const manager = await findUserById(conn, managerId);
    if (!manager) throw managerNotFound();
    const result = checkManagerChain(userId, role, {
      id: manager.id,
      role: manager.role as Role,
      isActive: fromDbBool(manager.is_active),
      chainAbove: await findManagerChain(conn, manager.id),
    });
    if (result.kind !== 'ok') throw invalidManager(result, role);
  }

  async function hashPassword(password: string | undefined): Promise<string | null> {
    return password === undefined ? null : passwords.hash(password);
  }

  const write = <T>(work: (trx: Db) => Promise<T>) => inTransaction(db, work, () => userEmailTaken());

  /** A new user; their language and time zone default to the company's. */
  async function addUser(
    trx: Db,
    who: Actor,
    input: Omit<CreateUserBody, 'password'>,
    passwordHash: string | null,
  ): Promise<UserRow> {
    const id = newId();
    const now = toDbTime(clock.now());
    const company = await findCompanyDefaults(trx);
    await checkManager(trx, id, input.role, input.managerId ?? null);
    await insertUser(trx, {
      id,
      email: normalizeEmail(input.email),
      name: input.name.trim(),
      role: input.role,
      language: input.language ?? (company?.language === 'nl' ? 'nl' : 'en'),
      time_zone: input.timeZone ?? company?.time_zone ?? defaultTimeZone,
      ...(input.workingHours && { working_hours: JSON.stringify(input.workingHours) }),
      manager_id: input.managerId ?? null,
      is_active: true,
      password_hash: passwordHash,
      created_at: now,
      updated_at: now,
      deactivated_at: null,
    });
    await insertEvent(trx, {
      type: 'user.created',
      occurredAt: clock.now(),
      actor: actorRef(who),
      subject: { type: 'user', id },
      payload: { role: input.role },
    });
    return (await findUserById(trx, id))!;
  }

  return {
    async listUsers(actor: Actor | null, query: ListUsersQuery) {
      authorize(actor, 'users.read');
      const limit = query.limit ?? 50;
      const rows = await findUsers(db, query, limit + 1, decodeCursor(query.cursor));
      const page = toPage(rows, limit);
      const ids = page.items.map((r) => r.id);
      const teams = await findTeamIdsByUsers(db, ids);
      const absent = await findAbsentUntil(db, ids, clock.now());
      return {
        data: page.items.map((r) => toUser(r, teams.get(r.id) ?? [], absent.get(r.id) ?? null)),
        nextCursor: page.nextCursor,
      };
    },

    async getUser(actor: Actor | null, id: string): Promise<User> {
      authorize(actor, 'users.read');
      const row = await findUserById(db, id);
      if (!row) throw userNotFound();
      return present(db, row);
    },

    async findUserByEmail(actor: Actor | null, email: string): Promise<User> {
      authorize(actor, 'users.read');
      const row = await findUserByEmail(db, normalizeEmail(email));
      if (!row) throw userNotFound();
      return present(db, row);
    },

    async createUser(actor: Actor | null, input: CreateUserBody): Promise<User> {
      const who = authorize(actor, 'users.write');
      const timeZone = input.timeZone;
      if (timeZone !== undefined && !isValidTimeZone(timeZone)) throw invalidTimeZone();
      checkHours(input.workingHours);
      const passwordHash = await hashPassword(input.password);
      return write(async (trx) => present(trx, await addUser(trx, who, input, passwordHash)));
    },

    /**
     * Adds a user in the caller's transaction, with a password already hashed (or none): setup
     * creates the first admin together with the company this way.
     */
    async addUserIn(
      trx: Db,
      who: Actor,
      input: Omit<CreateUserBody, 'password'>,
      passwordHash: string | null,
    ) {
      if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) throw invalidTimeZone();
      checkHours(input.workingHours);
      return addUser(trx, who, input, passwordHash);
    },

    async updateUser(actor: Actor | null, id: string, input: UpdateUserBody): Promise<User> {
      const who = authorize(actor, 'users.write');
      if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) throw invalidTimeZone();
      checkHours(input.workingHours);
      if (input.isActive === false && who.kind === 'user' && who.userId === id) throw cannotDeactivateSelf();
      const passwordHash = await hashPassword(input.password);
      return write(async (trx) => {
        const row = await findUserById(trx, id);
        if (!row) throw userNotFound();
        const role = input.role ?? (row.role as Role);
        const managerId = input.managerId === undefined ? row.manager_id : input.managerId;
        if (input.role !== undefined || input.managerId !== undefined)
          await checkManager(trx, id, role, managerId);

        const now = clock.now();
        const wasActive = fromDbBool(row.is_active);
        const deactivating = input.isActive === false && wasActive;
        const reactivating = input.isActive === true && !wasActive;
        await updateUserRow(trx, id, {
          ...(input.email !== undefined && { email: normalizeEmail(input.email) }),
          ...(input.name !== undefined && { name: input.name.trim() }),
          ...(input.role !== undefined && { role: input.role }),
          ...(input.language !== undefined && { language: input.language }),
          ...(input.timeZone !== undefined && { time_zone: input.timeZone }),
          ...(input.workingHours !== undefined && { working_hours: JSON.stringify(input.workingHours) }),
          ...(input.managerId !== undefined && { manager_id: input.managerId }),
          ...(passwordHash !== null && { password_hash: passwordHash }),
          ...(deactivating && { is_active: false, deactivated_at: toDbTime(now) }),
          ...(reactivating && { is_active: true, deactivated_at: null }),
          updated_at: toDbTime(now),
        });
        // Deactivation and a new password end every session of the user at once.
        if (deactivating || passwordHash !== null) await ports.endSessionsOf(trx, id);
        await insertEvent(trx, {
          type: deactivating ? 'user.deactivated' : reactivating ? 'user.reactivated' : 'user.updated',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'user', id },
          payload: {
            fields: Object.keys(input).filter((k) => k !== 'password'),
            ...(passwordHash !== null && { passwordReset: true }),
          },
        });
        return present(trx, (await findUserById(trx, id))!);
      });
    },

    async getMe(actor: Actor | null): Promise<User> {
      const who = authorize(actor, 'me.read');
      if (who.kind !== 'user') throw createError('auth.forbidden', 'Only a signed-in user has a profile');
      const row = await findUserById(db, who.userId);
      if (!row) throw createError('auth.unauthenticated');
      return present(db, row);
    },

    async updateMe(
      actor: Actor | null,
      input: UpdateMeBody,
      origin: RequestOrigin = { ip: 'cli', sessionToken: null },
    ): Promise<User> {
      const who = authorize(actor, 'me.update');
      if (who.kind !== 'user') throw createError('auth.forbidden', 'Only a signed-in user has a profile');
      if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) throw invalidTimeZone();
      checkHours(input.workingHours);
      const row = await findUserById(db, who.userId);
      if (!row) throw createError('auth.unauthenticated');
      let passwordHash: string | null = null;
      if (input.newPassword !== undefined) {
        const ok =
          input.currentPassword !== undefined &&
          (await ports.checkPassword(row.email, input.currentPassword, origin.ip));
        if (!ok)
          throw fieldError('auth.invalid_credentials', 'currentPassword', 'does not match your password');
        passwordHash = await passwords.hash(input.newPassword);
      }
      return write(async (trx) => {
        const now = clock.now();
        await updateUserRow(trx, who.userId, {
          ...(input.name !== undefined && { name: input.name.trim() }),
          ...(input.language !== undefined && { language: input.language }),
          ...(input.timeZone !== undefined && { time_zone: input.timeZone }),
          ...(input.workingHours !== undefined && { working_hours: JSON.stringify(input.workingHours) }),
          ...(passwordHash !== null && { password_hash: passwordHash }),
          updated_at: toDbTime(now),
        });
        // A new password ends every other sign-in: one made with the old password (on a lost
        // laptop, by someone who guessed it) must not outlive it.
        if (passwordHash !== null) await ports.endOtherSessions(trx, who.userId, origin.sessionToken);
        await insertEvent(trx, {
          type: 'user.updated',
          occurredAt: now,
          actor: actorRef(who),
          subject: { type: 'user', id: who.userId },
          payload: {
            fields: Object.keys(input).filter((k) => !k.toLowerCase().includes('password')),
            ...(passwordHash !== null && { passwordChanged: true }),
          },
        });
        return present(trx, (await findUserById(trx, who.userId))!);
      });
    },

    async countUsers(): Promise<number> {
      return countUsers(db);
    },

    /**
     * Records that someone is away (holiday, sick, a training day): routing passes them by.
     * People set their own; a manager sets them for their reports; admins for anyone.
     */
    async addAbsence(actor: Actor | null, userId: string, input: AbsenceBody): Promise<Absence> {
      const who = authorize(actor, 'me.read');
      const user = await findUserById(db, userId);
      if (!user) throw createError('users.not_found');
      const allowed =
        who.kind === 'cli' ||
        (who.kind === 'user' &&
          (who.userId === userId || who.role === 'admin' || user.manager_id === who.userId));
      if (!allowed) throw createError('auth.forbidden');
      if (new Date(input.endsAt) <= new Date(input.startsAt))
        throw fieldError('http.validation_failed', 'endsAt', 'must be after startsAt');
      const row = {
        id: newId(),
        user_id: userId,
        starts_at: toDbTime(new Date(input.startsAt)),
        ends_at: toDbTime(new Date(input.endsAt)),
        reason: input.reason ?? null,
        created_by: who.kind === 'user' ? who.userId : null,
        created_at: toDbTime(clock.now()),
      };
      await insertAbsence(db, row);
      return { id: row.id, userId, startsAt: row.starts_at, endsAt: row.ends_at, reason: row.reason };
    },

    /**
     * When someone is away. Why (sick leave, say) is personal: only the person, the managers above
     * them and admins read the reason; everyone else sees that they are absent, and when.
     */
    async listAbsences(actor: Actor | null, userId: string): Promise<Absence[]> {
      const who = authorize(actor, 'users.read');
      const mayReadReason =
        who.kind === 'cli' ||
        who.role === 'admin' ||
        (who.kind === 'user' &&
          (who.userId === userId || (await findManagerChain(db, userId)).includes(who.userId)));
      return (await findAbsences(db, userId)).map((a) => ({
        id: a.id,
        userId: a.user_id,
        startsAt: fromDbTime(a.starts_at).toISOString(),
        endsAt: fromDbTime(a.ends_at).toISOString(),
        reason: mayReadReason ? a.reason : null,
      }));
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
