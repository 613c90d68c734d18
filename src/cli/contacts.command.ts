import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Env } from '../server/config.ts';
import type { Services } from '../server/services.ts';
import { withServices } from './context.ts';
import { UsageError, type Io } from './output.ts';

const cli = { kind: 'cli' } as const;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The one contact an id or an address (also a merged duplicate's) names. */
async function resolveContact(services: Services, contact: string): Promise<string> {
  if (uuid.test(contact)) return contact;
  if (!contact.includes('@')) throw new UsageError('<contact>: a contact id or an email address');
  const found = await services.privacy.findSubject(cli, contact);
  if (found.contacts.length === 0)
    throw new UsageError(
      found.erasedAt
        ? `<contact>: ${found.email} was erased on ${found.erasedAt}; Baton holds nothing more about them`
        : `<contact>: no contact with the address ${contact}`,
    );
  return found.contacts[0]!.id;
}

export function registerContactsCommand(program: Command, io: Io, env: Env | undefined) {
  const contacts = program.command('contacts').description('People: requests under the GDPR/AVG');

  contacts
    .command('find')
    .description(
      'Who an address belongs to, also as an address merged into another contact, and whether it was erased',
    )
    .argument('<email>', 'the address the person wrote from')
    .option('--json', 'print JSON')
    .action(async (email: string, options: { json?: boolean }) => {
      await withServices(env, async (services) => {
        const found = await services.privacy.findSubject(cli, email);
        if (options.json) return io.out(JSON.stringify(found, null, 2));
        if (found.erasedAt) io.out(`${found.email}: erased on ${found.erasedAt} (kept out for good)`);
        if (found.contacts.length === 0 && !found.erasedAt) io.out(`${found.email}: no contact`);
        for (const c of found.contacts)
          io.out(
            `${c.id}  ${c.email ?? '-'}  ${[c.firstName, c.lastName].filter(Boolean).join(' ')}  ${c.stage}`,
          );
      });
    });

  contacts
    .command('export')
    .description(
      'Everything Baton holds about a person (GDPR art. 15 and 20): JSON on stdout, or with --archive a zip of every table about them as JSON and CSV; the export is logged',
    )
    .argument('<contact>', 'the contact id or an email address of theirs')
    .option('--archive <file>', 'write the zip archive here instead')
    .action(async (contact: string, options: { archive?: string }) => {
      await withServices(env, async (services) => {
        const id = await resolveContact(services, contact);
        if (!options.archive)
          return io.out(JSON.stringify(await services.contacts.exportContact(cli, id), null, 2));
        const { archive } = await services.privacy.exportArchive(cli, id);
        writeFileSync(options.archive, archive);
        io.err(`Wrote ${options.archive} (${archive.byteLength} bytes).`);
      });
    });

  contacts
    .command('erase')
    .description(
      'Erase a person (GDPR art. 17): everything about them is deleted, the logs keep only that it happened, and their addresses are kept as hashes so no import, form or event stores them again',
    )
    .argument('<contact>', 'the contact id or an email address of theirs')
    .option('--yes', 'confirm: erasure cannot be undone')
    .action(async (contact: string, options: { yes?: boolean }) => {
      if (!options.yes) throw new UsageError('erasure cannot be undone: add --yes to confirm');
      await withServices(env, async (services) => {
        const id = await resolveContact(services, contact);
        await services.privacy.erase(cli, id);
        io.out(`Erased ${id}.`);
      });
    });
}
