// Reading one contact over HTTP as a signed-in rep (session lookup, permission and visibility
// checks, the query, serialisation), against a bare Fastify route answering a constant JSON body
// on the same machine, both driven by the same keep-alive client.
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { createTestDatabase } from '../src/server/testing/databases.ts';
import { addUser, createTestApp, createTestContext, signIn } from '../src/server/testing/world.ts';
import { load, round } from './measure.ts';

async function drive(url: string, headers: Record<string, string>) {
  const dispatcher = new Agent({ connections: 16, pipelining: 1 });
  const result = await load(async () => {
    const response = await request(url, { headers, dispatcher });
    if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
    await response.body.dump();
  });
  await dispatcher.close();
  return result;
}

export async function run() {
  const bare = Fastify();
  bare.get('/contact', async () => ({ id: '0190a5e8-0000-7000-8000-000000000000', email: 'jan@acme.nl' }));
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
  const baseline = await drive(`${bareUrl}/contact`, {});
  await bare.close();

  const database = await createTestDatabase('sqlite');
  const context = createTestContext(database);
  const app = await createTestApp(context);
  const manager = await addUser(context, 'sales_manager');
  const rep = await addUser(context, 'sales_rep', { managerId: manager.id });
  const contact = await context.services.contacts.createContact(
    { kind: 'cli' },
    { email: 'jan@acme.nl', ownerId: rep.id },
  );
  const cookie = await signIn(app, rep.email);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const baton = await drive(`${url}/api/v1/contacts/${contact.id}`, { cookie });
  await app.close();
  await database.dispose();

  return {
    metrics: {
      contact_reads_per_second: { value: round(baton.perSecond), unit: 'requests/s' },
      contact_read_p99: { value: round(baton.p99, 2), unit: 'ms' },
      ratio_to_bare_route: { value: round(baton.perSecond / baseline.perSecond, 3), unit: 'ratio' },
    },
    baselines: {
      bare_fastify_requests_per_second: { value: round(baseline.perSecond), unit: 'requests/s' },
      bare_fastify_p99: { value: round(baseline.p99, 2), unit: 'ms' },
    },
  };
}
