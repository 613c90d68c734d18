import { describe, expect, it } from 'vitest';
import { loggingAddressOf, partiesToLog, tokenOfRecipient } from './logging-address.ts';

const where = { localPart: 'log', domain: 'baton.example.nl' };

describe('the logging address', () => {
  it('gives each token one address, and finds the token back in any case', () => {
    const address = loggingAddressOf('k3x9q2m7v8w4p5r6', where);
    expect(address).toBe('log+k3x9q2m7v8w4p5r6@baton.example.nl');
    expect(tokenOfRecipient(address.toUpperCase(), where)).toBe('k3x9q2m7v8w4p5r6');
  });

  it.each([
    ['another domain', 'log+k3x9q2m7v8w4p5r6@example.nl'],
    ['another mailbox', 'sales+k3x9q2m7v8w4p5r6@baton.example.nl'],
    ['no token', 'log@baton.example.nl'],
    ['a short token', 'log+abc@baton.example.nl'],
    ['a token with odd characters', 'log+k3x9q2m7v8w4p5r6;drop@baton.example.nl'],
    ['no domain', 'log+k3x9q2m7v8w4p5r6'],
  ])('is not %s', (_what, address) => {
    expect(tokenOfRecipient(address, where)).toBeNull();
  });

  it('logs the leads a message was to, once each, and never the sender, colleagues or private mail', () => {
    expect(
      partiesToLog(
        {
          from: 'Ruud@Nordwind.nl',
          to: ['jan@klant.nl', 'JAN@klant.nl', 'log+k3x9q2m7v8w4p5r6@baton.example.nl', 'ruud@nordwind.nl'],
          cc: ['fleur@nordwind.nl', 'piet@gmail.com', 'inkoop@klant.nl', 'not an address'],
        },
        { ownDomains: ['nordwind.nl'], loggingDomain: 'baton.example.nl', neverLogged: ['gmail.com'] },
      ),
    ).toEqual(['jan@klant.nl', 'inkoop@klant.nl']);
  });
});
