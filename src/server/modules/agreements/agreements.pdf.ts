import type { Agreement } from '../../../contract/agreements.ts';

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

/**
 * The agreement as a PDF (A4), the list a manager takes to Monday's sales meeting: the version,
 * its status and signatures, then every section in order.
 */
export async function renderAgreementPdf(agreement: Agreement, lang: Lang): Promise<Buffer> {
  const t = texts[lang];
  // pdfkit and its fonts take a quarter of a second to load: only when a PDF is asked for.
  const { default: PDFDocument } = await import('pdfkit');
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

  for (const section of agreement.document) {
    doc.moveDown(1).font('Helvetica-Bold').fontSize(13).text(section.title[lang]);
    doc.font('Helvetica').fontSize(9);
    if (section.items.length === 0) doc.text(t.none);
    for (const item of section.items) {
      doc.moveDown(0.3).font('Helvetica-Bold').text(item.title[lang]).font('Helvetica');
      for (const l of item.lines) doc.text(l[lang], { indent: 10 });
    }
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
