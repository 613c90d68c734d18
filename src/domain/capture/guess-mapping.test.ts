import { describe, expect, it } from 'vitest';
import { guessMapping } from './guess-mapping.ts';
import { columnsFor } from './record-columns.ts';

describe('guessMapping', () => {
  it('reads English and Dutch headers', () => {
    expect(
      guessMapping('contacts', ['E-mailadres', 'Voornaam', 'Achternaam', 'Bedrijf', 'Notes'], {}),
    ).toEqual({
      kind: 'ok',
      mapping: { 'E-mailadres': 'email', Voornaam: 'firstName', Achternaam: 'lastName', Bedrijf: 'company' },
      unmapped: ['Notes'],
    });
    expect(
      guessMapping('events', ['Email Address', 'Event Type', 'Timestamp', 'UTM_Source'], {}),
    ).toMatchObject({
      kind: 'ok',
      mapping: {
        'Email Address': 'email',
        'Event Type': 'type',
        Timestamp: 'occurredAt',
        UTM_Source: 'utm_source',
      },
    });
  });

  it('takes overrides first and maps each field from one column only', () => {
    expect(guessMapping('contacts', ['Work mail', 'Email', 'Mail'], { 'Work mail': 'email' })).toEqual({
      kind: 'ok',
      mapping: { 'Work mail': 'email' },
      unmapped: ['Email', 'Mail'],
    });
  });

  it.each<{
    kind: 'contacts' | 'events';
    headers: string[];
    overrides: Record<string, string>;
    problem: string;
  }>([
    { kind: 'contacts' as const, headers: ['Name'], overrides: {}, problem: 'no column for email' },
    {
      kind: 'contacts' as const,
      headers: ['Email'],
      overrides: { Nope: 'email' },
      problem: 'has no column "Nope"',
    },
    {
      kind: 'contacts' as const,
      headers: ['Email', 'X'],
      overrides: { X: 'type' },
      problem: '"type" is not one of',
    },
    {
      kind: 'events' as const,
      headers: ['Email', 'Type'],
      overrides: {},
      problem: 'no column for occurredAt',
    },
    { kind: 'events' as const, headers: ['Type', 'Date'], overrides: {}, problem: 'email or visitorId' },
  ])('refuses $headers with $overrides: $problem', ({ kind, headers, overrides, problem }) => {
    const result = guessMapping(kind, headers, overrides);
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.problems.join('\n')).toContain(problem);
  });

  it('leaves out a column marked skip, where a guess would take it, and guesses the rest', () => {
    expect(
      guessMapping('contacts', ['Email', 'Work email', 'Company'], { Email: 'skip', 'Work email': 'email' }),
    ).toEqual({
      kind: 'ok',
      mapping: { 'Work email': 'email', Company: 'company' },
      unmapped: ['Email'],
    });
  });
});

describe('columnsFor', () => {
  it('leaves out a column marked skip, and takes the next synonym', () => {
    expect(columnsFor('accounts', ['Company', 'Account name', 'Sector'], { Company: 'skip' })).toEqual({
      columns: { name: 'Account name', industry: 'Sector' },
      unknownFields: [],
      unused: ['Company'],
    });
  });
});
