import type { Command } from 'commander';
import type { Env } from '../server/config.ts';
import { withServices } from './context.ts';
import { UsageError, type Io } from './output.ts';

const cli = { kind: 'cli' } as const;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerContactsCommand(program: Command, io: Io, env: Env | undefined) {
  const contacts = program.command('contacts').description('People: requests under the GDPR/AVG');

  contacts
    .command('export')
    .description(
      'Print everything Baton holds about a person as JSON (GDPR art. 15 and 20); the export is logged',
    )
    .argument('<contact>', 'the contact id or email address')
    .action(async (contact: string) => {
      if (!uuid.test(contact) && !contact.includes('@'))
        throw new UsageError('<contact>: a contact id or an email address');
      await withServices(env, async (services) => {
        const id = uuid.test(contact)
          ? contact
          : (await services.contacts.listContacts(cli, { email: contact })).data[0]?.id;
        if (!id) throw new UsageError(`<contact>: no contact with the address ${contact}`);
        io.out(JSON.stringify(await services.contacts.exportContact(cli, id), null, 2));
      });
    });
}
