/**
 * Consent per purpose (GDPR/AVG art. 6 and 7). Each purpose is given or withdrawn on its own: a
 * person may want the newsletter and not a call from Sales, or the other way round.
 */
export const consentPurposes = ['newsletter', 'sales_contact'] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];

export interface ConsentEntry {
  purpose: string;
  status: string;
  source: string;
  text: string | null;
  version: string | null;
  occurredAt: Date;
}

export interface ConsentState {
  purpose: ConsentPurpose;
  status: 'unknown' | 'granted' | 'withdrawn';
  source: string | null;
  text: string | null;
  version: string | null;
  at: Date | null;
}

/**
 * Where each purpose stands: the latest record of it decides (by when it was given or withdrawn);
 * a purpose nobody asked about is unknown.
 *
 * @example currentConsents([{ purpose: 'sales_contact', status: 'withdrawn', … }])
 * // [{ purpose: 'newsletter', status: 'unknown', … }, { purpose: 'sales_contact', status: 'withdrawn', … }]
 */
export function currentConsents(entries: readonly ConsentEntry[]): ConsentState[] {
  return consentPurposes.map((purpose) => {
    const latest = entries
      .filter((e) => e.purpose === purpose)
      .reduce<ConsentEntry | null>((a, e) => (a && a.occurredAt > e.occurredAt ? a : e), null);
    return latest
      ? {
          purpose,
          status: latest.status === 'granted' ? 'granted' : 'withdrawn',
          source: latest.source,
          text: latest.text,
          version: latest.version,
          at: latest.occurredAt,
        }
      : { purpose, status: 'unknown', source: null, text: null, version: null, at: null };
  });
}
