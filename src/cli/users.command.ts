import type { Command } from 'commander';
import { CreateUserBody, UpdateUserBody, type User } from '../contract/users.ts';
import type { Env } from '../server/config.ts';
import { withServices } from './context.ts';
import { checkInput, printTable, UsageError, type Io } from './output.ts';

const cli = { kind: 'cli' } as const;

function show(io: Io, users: User[], json: boolean) {
  if (json) return io.out(JSON.stringify(users.length === 1 ? users[0] : users, null, 2));
  printTable(
    io,
    users.map((u) => ({
      id: u.id,
      email: u.email,
      name: u.name,
      role: u.role,
      active: u.isActive ? 'yes' : 'no',
    })),
  );
}

export function registerUsersCommand(program: Command, io: Io, env: Env | undefined) {
  const users = program.command('users').description('Manage users');

  users
    .command('add')
    .description('Create a user')
    .requiredOption('--email <email>', 'email address, used to sign in')
    .requiredOption('--name <name>', 'full name')
    .requiredOption('--role <role>', 'admin, marketing, sales_rep, sales_manager or director')
    .option('--language <language>', 'en or nl', 'en')
    .option('--time-zone <zone>', 'IANA time zone', 'Europe/Amsterdam')
    .option('--manager <email>', "email of the user's manager (the escalation chain)")
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'print JSON')
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const password = options.passwordStdin ? (await io.readStdin()).replace(/\r?\n$/, '') : undefined;
      if (options.passwordStdin && !password)
        throw new UsageError('--password-stdin: no password on standard input');
      await withServices(env, async (services) => {
        const managerId = options.manager
          ? (await services.users.findUserByEmail(cli, String(options.manager))).id
          : undefined;
        const input = checkInput(
          CreateUserBody,
          {
            email: options.email,
            name: options.name,
            role: options.role,
            language: options.language,
            timeZone: options.timeZone,
            ...(managerId && { managerId }),
            ...(password !== undefined && { password }),
          },
          {
            email: '--email',
            name: '--name',
            role: '--role',
            language: '--language',
            timeZone: '--time-zone',
            password: 'password',
          },
        );
        const user = await services.users.createUser(cli, input);
        show(io, [user], Boolean(options.json));
        if (!options.json && !password) io.err('No password set: this user cannot sign in until one is set.');
      });
    });

  users
    .command('list')
    .description('List users')
    .option('--role <role>', 'only this role')
    .option('--include-inactive', 'also deactivated users')
    .option('--json', 'print JSON')
    .action(async (options: { role?: string; includeInactive?: boolean; json?: boolean }) => {
      await withServices(env, async (services) => {
        const all: User[] = [];
        let cursor: string | undefined;
        do {
          const page = await services.users.listUsers(cli, {
            limit: 200,
            ...(cursor && { cursor }),
            ...(options.role && { role: options.role as User['role'] }),
            ...(!options.includeInactive && { isActive: true }),
          });
          all.push(...page.data);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        if (options.json) io.out(JSON.stringify(all, null, 2));
        else show(io, all, false);
      });
    });

  users
    .command('set-password')
    .description("Set a user's password (read from standard input) and end their sessions")
    .argument('<email>', 'email of the user')
    .option('--json', 'print JSON')
    .action(async (email: string, options: { json?: boolean }) => {
      const password = (await io.readStdin()).replace(/\r?\n$/, '');
      const input = checkInput(UpdateUserBody, { password }, { password: 'password (standard input)' });
      await withServices(env, async (services) => {
        const user = await services.users.findUserByEmail(cli, email);
        const updated = await services.users.updateUser(cli, user.id, input);
        show(io, [updated], Boolean(options.json));
        if (!options.json) io.err(`Password of ${updated.email} set; their sessions have ended.`);
      });
    });

  users
    .command('deactivate')
    .description('Deactivate a user and end their sessions at once')
    .argument('<email>', 'email of the user')
    .option('--json', 'print JSON')
    .action(async (email: string, options: { json?: boolean }) => {
      await withServices(env, async (services) => {
        const user = await services.users.findUserByEmail(cli, email);
        const updated = await services.users.updateUser(cli, user.id, { isActive: false });
        show(io, [updated], Boolean(options.json));
      });
    });

  users
    .command('reset-second-factor')
    .description(
      'For someone who lost their phone and their recovery codes: remove their two-step sign-in and end their sessions (they set it up again at the next sign-in if their role requires it); logged',
    )
    .argument('<email>', 'email of the user')
    .action(async (email: string) => {
      await withServices(env, async (services) => {
        const user = await services.users.findUserByEmail(cli, email);
        await services.auth.resetSecondFactor(cli, user.id);
        io.out(`Two-step sign-in of ${user.email} removed; their sessions have ended.`);
      });
    });
}
