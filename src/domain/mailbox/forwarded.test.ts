import { describe, expect, it } from 'vitest';
import { forwardedIn } from './forwarded.ts';

describe('the header block of an email forwarded inline', () => {
  it('reads Gmail’s forward', () => {
    const text = [
      'Can you log this one?',
      '',
      '---------- Forwarded message ---------',
      'From: Jan Bakker <jan@bakkerij-jansen.nl>',
      'Date: Thu, 3 Dec 2026 at 10:12',
      'Subject: Re: your offer',
      'To: Anna de Wit <anna@nordwind-ict.example>',
      '',
      'Thanks, we would like to go ahead.',
    ].join('\n');
    expect(forwardedIn(text)).toEqual({
      from: 'jan@bakkerij-jansen.nl',
      to: ['anna@nordwind-ict.example'],
      cc: [],
      subject: 'Re: your offer',
    });
  });

  it('reads Dutch Outlook’s, with a Cc and stars around the names', () => {
    const text = [
      '-----Oorspronkelijk bericht-----',
      '*Van:* Jan Bakker <Jan@Bakkerij-Jansen.nl>',
      '*Verzonden:* donderdag 3 december 2026 10:12',
      '*Aan:* Anna de Wit <anna@nordwind-ict.example>',
      '*CC:* Piet <piet@bakkerij-jansen.nl>; Els <els@bakkerij-jansen.nl>',
      '*Onderwerp:* RE: uw offerte',
      '',
      'Dank u, we gaan akkoord.',
    ].join('\r\n');
    expect(forwardedIn(text)).toEqual({
      from: 'jan@bakkerij-jansen.nl',
      to: ['anna@nordwind-ict.example'],
      cc: ['piet@bakkerij-jansen.nl', 'els@bakkerij-jansen.nl'],
      subject: 'RE: uw offerte',
    });
  });

  it('reads Outlook’s block without a marker line, and Apple Mail’s', () => {
    expect(
      forwardedIn(
        'FYI\n\nFrom: jan@bakkerij-jansen.nl\nSent: Thursday\nTo: anna@nordwind-ict.example\nSubject: Hi',
      ),
    ).toMatchObject({ from: 'jan@bakkerij-jansen.nl', subject: 'Hi' });
    expect(
      forwardedIn('Begin forwarded message:\n\nFrom: Jan <jan@bakkerij-jansen.nl>\nSubject: Hoi'),
    ).toMatchObject({
      from: 'jan@bakkerij-jansen.nl',
      subject: 'Hoi',
    });
  });

  it('finds nothing in an email that forwards nothing, or names no sender', () => {
    expect(forwardedIn('Hello Jan,\n\nFrom: our side, all is well.\n')).toBeNull();
    expect(forwardedIn('---------- Forwarded message ---------\nFrom: Jan Bakker\nSubject: Hi')).toBeNull();
  });
});
