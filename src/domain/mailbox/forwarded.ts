/**
 * The header block of an email forwarded inline, as Outlook, Gmail and Apple Mail write it, in
 * English or Dutch:
 *
 *     ---------- Forwarded message ---------        -----Oorspronkelijk bericht-----
 *     From: Jan Bakker <jan@bakkerij.nl>            Van: Jan Bakker <jan@bakkerij.nl>
 *     Date: Thu, 3 Dec 2026 at 10:12                Verzonden: donderdag 3 december 2026 10:12
 *     Subject: Re: your offer                       Aan: Anna <anna@nordwind.nl>
 *     To: Anna <anna@nordwind.nl>                   Onderwerp: Re: uw offerte
 *
 * Only the first forwarded message is read (the one the person forwarded; older ones below it are
 * its own quotes). Its date is written for people, in their language, so it is not read.
 */
export interface ForwardedMessage {
  from: string | null;
  to: string[];
  cc: string[];
  subject: string | null;
}

const markers = [
  /^-{2,}\s*forwarded message\s*-{2,}$/i,
  /^-{2,}\s*doorgestuurd bericht\s*-{2,}$/i,
  /^-{2,}\s*original message\s*-{2,}$/i,
  /^-{2,}\s*oorspronkelijk bericht\s*-{2,}$/i,
  /^begin forwarded message:$/i,
  /^begin doorgestuurd bericht:$/i,
];

const fieldNames: Record<string, keyof ForwardedMessage> = {
  from: 'from',
  van: 'from',
  to: 'to',
  aan: 'to',
  cc: 'cc',
  subject: 'subject',
  onderwerp: 'subject',
};

const emailPattern =
  /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+/g;

function emailsIn(value: string): string[] {
  return [...value.matchAll(emailPattern)].map((m) => m[0].toLowerCase());
}

/**
 * The forwarded message's parties and subject, or null when the text holds no forward (or its
 * block names no sender's address).
 *
 * @example forwardedIn('---------- Forwarded message ---------\nFrom: Jan <jan@bakkerij.nl>\nSubject: Hi')
 * // { from: 'jan@bakkerij.nl', to: [], cc: [], subject: 'Hi' }
 */
export function forwardedIn(text: string): ForwardedMessage | null {
  const lines = text.split(/\r?\n/).slice(0, 400);
  let start = lines.findIndex((line) => markers.some((m) => m.test(line.replace(/^[>\s]+/, '').trim())));
  // Outlook writes no marker line in replies-as-forwards: a "From:"/"Van:" line followed soon by
  // a "Sent:"/"Verzonden:" line opens the block.
  if (start < 0) {
    start = lines.findIndex(
      (line, i) =>
        /^\s*(from|van):\s/i.test(line) &&
        lines.slice(i + 1, i + 4).some((next) => /^\s*(sent|verzonden|date|datum):\s/i.test(next)),
    );
    if (start < 0) return null;
    start -= 1;
  }
  const found: ForwardedMessage = { from: null, to: [], cc: [], subject: null };
  let seenField = false;
  for (const raw of lines.slice(start + 1, start + 16)) {
    const line = raw.replace(/^[>\s]+/, '').replace(/\*/g, '');
    if (line.trim() === '') {
      if (seenField) break;
      continue;
    }
    const match = /^([A-Za-z]+):\s*(.*)$/.exec(line.trim());
    if (!match) {
      if (seenField) break;
      continue;
    }
    seenField = true;
    const field = fieldNames[match[1]!.toLowerCase()];
    const value = match[2]!;
    if (field === 'from') found.from = emailsIn(value)[0] ?? null;
    else if (field === 'to' || field === 'cc') found[field].push(...emailsIn(value));
    else if (field === 'subject') found.subject = value.trim() || null;
  }
  return found.from ? found : null;
}
