import PDFDocument from 'pdfkit';
import type { Agreement } from '../../../contract/agreements.ts';
import { AGREEMENT_SECTIONS, type AgreementSection } from '../../../domain/planning/agreement.ts';

type Lang = 'en' | 'nl';

const texts = {
  en: {
    title: 'Alignment agreement between Marketing and Sales',
    version: 'Version',
    status: 'Status',
    effective: 'In force from',
    signatures: 'Signatures',
    marketing: 'Head of Marketing',
    sales: 'Head of Sales',
    notSigned: 'not signed yet',
    signedOn: 'signed on',
    none: 'None.',
    sections: {
      stages: '1. Stage definitions',
      mqlRule: '2. The MQL rule',
      sla: '3. Follow-up SLAs on both sides',
      recycle: '4. Recycle rules and reason codes',
      attribution: '5. Attribution model for recognition',
      targets: '6. Targets and plan',
      bonus: '7. Joint bonus plan',
    } satisfies Record<AgreementSection, string>,
    statuses: {
      draft: 'draft',
      proposed: 'proposed, awaiting signatures',
      scheduled: 'signed, comes into force later',
      in_force: 'in force',
      superseded: 'superseded',
      withdrawn: 'withdrawn',
    },
  },
  nl: {
    title: 'Afstemmingsovereenkomst tussen Marketing en Sales',
    version: 'Versie',
    status: 'Status',
    effective: 'Van kracht vanaf',
    signatures: 'Handtekeningen',
    marketing: 'Hoofd Marketing',
    sales: 'Hoofd Sales',
    notSigned: 'nog niet getekend',
    signedOn: 'getekend op',
    none: 'Geen.',
    sections: {
      stages: '1. Definities van de fasen',
      mqlRule: '2. De MQL-regel',
      sla: '3. Opvolgafspraken (SLA) aan beide kanten',
      recycle: '4. Recycleregels en redencodes',
      attribution: '5. Attributiemodel voor erkenning',
      targets: '6. Doelen en plan',
      bonus: '7. Gezamenlijke bonusregeling',
    } satisfies Record<AgreementSection, string>,
    statuses: {
      draft: 'concept',
      proposed: 'voorgesteld, wacht op handtekeningen',
      scheduled: 'getekend, later van kracht',
      in_force: 'van kracht',
      superseded: 'vervangen',
      withdrawn: 'ingetrokken',
    },
  },
} as const;

/** A value as one readable line: objects as `key: value` pairs, localized texts in the reader's language. */
function line(value: unknown, lang: Lang): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object') return '—';
  if (Array.isArray(value)) return value.map((v) => line(v, lang)).join(', ');
  const record = value as Record<string, unknown>;
  if (typeof record.en === 'string' && typeof record.nl === 'string' && Object.keys(record).length === 2)
    return record[lang] as string;
  return Object.entries(record)
    .map(([k, v]) => `${k}: ${line(v, lang)}`)
    .join('; ');
}

/** The items of a section, each as a title and its lines. */
function items(
  section: AgreementSection,
  content: Agreement['content'],
  lang: Lang,
): { title: string; lines: string[] }[] {
  const describe = (item: unknown, titleKeys: string[]) => {
    const record = (item ?? {}) as Record<string, unknown>;
    const titleKey = titleKeys.find((k) => record[k] !== undefined);
    const title = titleKey ? line(record[titleKey], lang) : '';
    const lines = Object.entries(record)
      .filter(([k]) => k !== titleKey)
      .map(([k, v]) => `${k}: ${line(v, lang)}`);
    return { title, lines };
  };
  switch (section) {
    case 'stages':
      return content.stages.map((s) => describe(s, ['name']));
    case 'mqlRule':
      return [describe(content.mqlRule, ['name'])];
    case 'sla':
      return [
        ...content.sla.policies.map((p) => describe(p, ['name'])),
        ...content.sla.commitments.map((c) => describe(c, ['period'])),
      ];
    case 'recycle':
      return [
        describe(content.recycle.settings, []),
        ...content.recycle.reasons.map((r) => describe(r, ['label', 'code'])),
      ];
    case 'attribution':
      return [describe(content.attribution, ['model'])];
    case 'targets':
      return [
        ...content.targets.targets.map((t) => describe(t, ['metric'])),
        ...content.targets.plans.map((p) => describe(p, ['name'])),
      ];
    case 'bonus':
      return content.bonus.map((b) => describe(b, ['name']));
  }
}

/**
 * The agreement as a PDF (A4), the list a manager takes to Monday's sales meeting: the version,
 * its status and signatures, then every section in order.
 */
export async function renderAgreementPdf(agreement: Agreement, lang: Lang): Promise<Buffer> {
  const t = texts[lang];
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: `${t.title} — ${t.version} ${agreement.version}`, Author: 'Baton' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  const date = (iso: string | null) => (iso ? iso.slice(0, 10) : t.notSigned);

  doc.font('Helvetica-Bold').fontSize(18).text(t.title);
  doc.font('Helvetica').fontSize(14).text(agreement.title);
  doc.moveDown(0.5).fontSize(10);
  doc.text(`${t.version}: ${agreement.version}`);
  doc.text(`${t.status}: ${t.statuses[agreement.status]}`);
  doc.text(`${t.effective}: ${agreement.effectiveFrom.slice(0, 10)}`);
  doc.moveDown(0.5).font('Helvetica-Bold').text(t.signatures).font('Helvetica');
  doc.text(
    `${t.marketing}: ${agreement.marketingSigner?.name ?? '—'} — ${agreement.marketingSignedAt ? `${t.signedOn} ${date(agreement.marketingSignedAt)}` : t.notSigned}`,
  );
  doc.text(
    `${t.sales}: ${agreement.salesSigner?.name ?? '—'} — ${agreement.salesSignedAt ? `${t.signedOn} ${date(agreement.salesSignedAt)}` : t.notSigned}`,
  );

  for (const section of AGREEMENT_SECTIONS) {
    doc.moveDown(1).font('Helvetica-Bold').fontSize(13).text(t.sections[section]);
    doc.font('Helvetica').fontSize(9);
    const list = items(section, agreement.content, lang);
    if (list.length === 0) doc.text(t.none);
    for (const item of list) {
      doc.moveDown(0.3);
      if (item.title) doc.font('Helvetica-Bold').text(item.title).font('Helvetica');
      for (const l of item.lines) doc.text(l, { indent: 10 });
    }
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
