import { Type, type Static } from 'typebox';
import { AGREEMENT_SECTIONS } from '../domain/planning/agreement.ts';
import { AgreementSpans, Id, Instant, Nullable, StrictObject } from './common.ts';

export const AgreementSection = Type.Enum(AGREEMENT_SECTIONS, { description: 'A section of the agreement' });

/** The document: each section as the live configuration held it when the version was drafted or proposed. */
export const AgreementContent = Type.Object({
  stages: Type.Array(Type.Unknown(), { description: 'The stage definitions' }),
  mqlRule: Type.Unknown({ description: 'The MQL rule: the scoring model version and its thresholds' }),
  sla: Type.Object({
    policies: Type.Array(Type.Unknown(), { description: 'Sales’ follow-up SLAs' }),
    commitments: Type.Array(Type.Unknown(), { description: 'Marketing’s commitments' }),
  }),
  recycle: Type.Object({ settings: Type.Unknown(), reasons: Type.Array(Type.Unknown()) }),
  attribution: Type.Unknown({ description: 'The attribution model used for recognition and its settings' }),
  targets: Type.Object({ targets: Type.Array(Type.Unknown()), plans: Type.Array(Type.Unknown()) }),
  bonus: Type.Array(Type.Unknown(), { description: 'The joint bonus plans' }),
});
export type AgreementContent = Static<typeof AgreementContent>;

const Person = Nullable(Type.Object({ id: Id, name: Type.String() }));
export const AgreementStatus = Type.Enum([
  'draft',
  'proposed',
  'scheduled',
  'in_force',
  'superseded',
  'withdrawn',
]);

export const AgreementSummary = Type.Object({
  version: Type.Integer(),
  title: Type.String(),
  status: AgreementStatus,
  effectiveFrom: Instant,
  marketingSigner: Person,
  salesSigner: Person,
  marketingSignedAt: Nullable(Instant),
  salesSignedAt: Nullable(Instant),
  createdAt: Instant,
  proposedAt: Nullable(Instant),
});
export type AgreementSummary = Static<typeof AgreementSummary>;

const Bilingual = Type.Object({ en: Type.String(), nl: Type.String() });
export const AgreementDocument = Type.Array(
  Type.Object({
    key: AgreementSection,
    title: Bilingual,
    items: Type.Array(Type.Object({ title: Bilingual, lines: Type.Array(Bilingual) })),
  }),
  { description: 'The document as people read it, section by section, in English and Dutch' },
);

export const Agreement = Type.Intersect([
  AgreementSummary,
  Type.Object({
    content: AgreementContent,
    document: AgreementDocument,
    drift: Type.Array(
      Type.Object({
        path: Type.String(),
        section: Type.String(),
        before: Type.Unknown(),
        after: Type.Unknown(),
      }),
      { description: 'Where the live configuration differs from this version now' },
    ),
  }),
]);
export type Agreement = Static<typeof Agreement>;

export const VersionParams = StrictObject({ version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export const CreateAgreementBody = StrictObject({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  effectiveFrom: Instant,
});
export type CreateAgreementBody = Static<typeof CreateAgreementBody>;

export const UpdateAgreementBody = StrictObject({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  effectiveFrom: Type.Optional(Instant),
  refresh: Type.Optional(
    Type.Boolean({ description: 'Assemble the document again from the live configuration' }),
  ),
});
export type UpdateAgreementBody = Static<typeof UpdateAgreementBody>;

export const ProposeAgreementBody = StrictObject({
  marketingSignerId: Id,
  salesSignerId: Id,
});
export type ProposeAgreementBody = Static<typeof ProposeAgreementBody>;

export const DiffQuery = StrictObject({
  from: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  to: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});
export const AgreementDiff = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  changes: Type.Array(
    Type.Object({
      path: Type.String(),
      section: Type.String(),
      before: Type.Unknown(),
      after: Type.Unknown(),
    }),
  ),
});
export type AgreementDiff = Static<typeof AgreementDiff>;

export const PdfQuery = StrictObject({ lang: Type.Optional(Type.Enum(['en', 'nl'], { default: 'en' })) });

export const SpansQuery = StrictObject({ from: Instant, to: Instant });
export { AgreementSpans };

export const MqlReport = Type.Object({
  from: Instant,
  to: Instant,
  parts: Type.Array(
    Type.Object({
      version: Nullable(Type.Integer()),
      from: Instant,
      to: Instant,
      rule: Type.Unknown({ description: 'The MQL rule of the version in force in this part' }),
      mqls: Type.Integer({ description: 'Contacts that became MQL in this part' }),
    }),
  ),
});
export type MqlReport = Static<typeof MqlReport>;

export const AuditQuery = StrictObject({
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  outsideAgreementOnly: Type.Optional(Type.Boolean()),
});
export const AuditEntry = Type.Object({
  id: Id,
  type: Type.String(),
  at: Instant,
  actor: Type.Object({ kind: Type.String(), id: Nullable(Type.String()), name: Nullable(Type.String()) }),
  section: Nullable(AgreementSection),
  agreementVersion: Nullable(Type.Integer({ description: 'The version in force when it happened' })),
  outsideAgreement: Type.Boolean({
    description: 'A change that leaves the live configuration different from the agreement in force',
  }),
  payload: Type.Unknown(),
});
export type AuditEntry = Static<typeof AuditEntry>;
