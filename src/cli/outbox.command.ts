import type { Command } from 'commander';
import { outboxStatuses, type OutboxMessage } from '../contract/outbox.ts';
import type { Env } from '../server/config.ts';
import { createSmtpMailer } from '../server/platform/mailer.ts';
import { newId } from '../server/platform/ids.ts';
import { withServices } from './context.ts';
import { printTable, UsageError, type Io } from './output.ts';

const cli = { kind: 'cli' } as const;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const row = (m: OutboxMessage) => ({
  id: m.id,
  status: m.status,
  kind: m.kind,
  to: m.recipient,
  attempts: String(m.attempts),
  created: m.createdAt,
  error: m.lastError ?? '-',
});

export function registerOutboxCommand(program: Command, io: Io, env: Env | undefined) {
  const outbox = program
    .command('outbox')
    .description('Emails Baton queued: what waits, what failed, and the SMTP setup');

  outbox
    .command('list')
    .description('List emails, newest first, with counts by status')
    .option('--status <status>', `only this status: ${outboxStatuses.join(', ')}`)
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (options: { status?: string; limit: string; json?: boolean }) => {
      if (options.status && !(outboxStatuses as readonly string[]).includes(options.status))
        throw new UsageError(`--status: must be one of ${outboxStatuses.join(', ')}`);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200)
        throw new UsageError('--limit: must be a whole number from 1 to 200');
      await withServices(env, async (services) => {
        const page = await services.notifications.listOutbox(cli, {
          ...(options.status && { status: options.status as OutboxMessage['status'] }),
          limit,
        });
        if (options.json) return io.out(JSON.stringify(page, null, 2));
        printTable(io, page.data.map(row));
        io.err(
          `pending ${page.counts.pending}, sent ${page.counts.sent}, dead ${page.counts.dead}, cancelled ${page.counts.cancelled}`,
        );
      });
    });

  outbox
    .command('retry')
    .description('Send a dead or cancelled email again (the running server sends it)')
    .argument('<id>', 'id of the email')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      if (!uuid.test(id))
        throw new UsageError('<id>: must be the id of an email, as `baton outbox list` shows it');
      await withServices(env, async (services) => {
        const message = await services.notifications.retryOutboxMessage(cli, id);
        if (options.json) io.out(JSON.stringify(message, null, 2));
        else printTable(io, [row(message)]);
      });
    });

  outbox
    .command('test-smtp')
    .description('Send one email straight to an address with the configured SMTP settings, to check them')
    .requiredOption('--to <address>', 'where to send it')
    .action(async (options: { to: string }) => {
      if (!/^[^\s@]+@[^\s@]+$/.test(options.to)) throw new UsageError('--to: must be an email address');
      await withServices(env, async (_services, config) => {
        if (!config.smtpUrl)
          throw new Error('BATON_SMTP_URL is not set: Baton has no SMTP server to send with.');
        const mailer = createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom });
        try {
          const { messageId } = await mailer.send({
            id: newId(),
            to: options.to,
            subject: 'Baton: test email / testbericht',
            text: 'Baton can send email with these settings.\n\nBaton kan met deze instellingen e-mail versturen.\n',
            html: null,
            language: 'en',
          });
          io.err(`Sent to ${options.to} (${messageId ?? 'no message id'}).`);
        } finally {
          mailer.close();
        }
      });
    });
}
