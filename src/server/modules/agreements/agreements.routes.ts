import { Type } from 'typebox';
import {
  Agreement,
  AgreementDiff,
  AgreementSpans,
  AgreementSummary,
  AuditEntry,
  AuditQuery,
  CreateAgreementBody,
  DiffQuery,
  MqlReport,
  PdfQuery,
  ProposeAgreementBody,
  SpansQuery,
  UpdateAgreementBody,
  VersionParams,
} from '../../../contract/agreements.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { AgreementsService } from './agreements.service.ts';

/** The alignment agreement: versions, signatures, the diff, the PDF, and the audit log of configuration. */
export function agreementsRoutes(app: App, { agreements }: { agreements: AgreementsService }) {
  const tags = ['agreements'];
  app.get(
    '/agreements',
    {
      schema: {
        tags,
        summary: 'Every version, newest first',
        response: { 200: Type.Array(AgreementSummary), ...problemResponses },
      },
    },
    async (request) => agreements.list(request.actor),
  );
  app.post(
    '/agreements',
    {
      schema: {
        tags,
        summary: 'Draft a new version from the live configuration',
        body: CreateAgreementBody,
        response: { 201: Agreement, ...problemResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await agreements.create(request.actor, request.body)),
  );
  app.get(
    '/agreements/diff',
    {
      schema: {
        tags,
        summary: 'What changed between two versions, field by field',
        querystring: DiffQuery,
        response: { 200: AgreementDiff, ...problemResponses },
      },
    },
    async (request) => agreements.diff(request.actor, request.query.from, request.query.to),
  );
  app.get(
    '/agreements/spans',
    {
      schema: {
        tags,
        summary: 'The version in force in each part of a period',
        querystring: SpansQuery,
        response: { 200: AgreementSpans, ...problemResponses },
      },
    },
    async (request) =>
      agreements.spans(request.actor, new Date(request.query.from), new Date(request.query.to)),
  );
  app.get(
    '/agreements/mql-report',
    {
      schema: {
        tags,
        summary: 'MQLs of a period per part governed by each version, with that version’s MQL rule',
        querystring: SpansQuery,
        response: { 200: MqlReport, ...problemResponses },
      },
    },
    async (request) => agreements.mqlReport(request.actor, request.query.from, request.query.to),
  );
  app.get(
    '/agreements/:version',
    {
      schema: {
        tags,
        summary: 'A version with its document, and where the live configuration differs from it',
        params: VersionParams,
        response: { 200: Agreement, ...problemResponses },
      },
    },
    async (request) => agreements.get(request.actor, request.params.version),
  );
  app.patch(
    '/agreements/:version',
    {
      schema: {
        tags,
        summary: 'Change a draft’s title or start, or assemble it again from the live configuration',
        params: VersionParams,
        body: UpdateAgreementBody,
        response: { 200: Agreement, ...problemResponses },
      },
    },
    async (request) => agreements.update(request.actor, request.params.version, request.body),
  );
  app.post(
    '/agreements/:version/propose',
    {
      schema: {
        tags,
        summary: 'Propose a draft for signature by the head of Marketing and the head of Sales',
        params: VersionParams,
        body: ProposeAgreementBody,
        response: { 200: Agreement, ...problemResponses },
      },
    },
    async (request) => agreements.propose(request.actor, request.params.version, request.body),
  );
  app.post(
    '/agreements/:version/sign',
    {
      schema: {
        tags,
        summary:
          'Sign as one of the two named heads; with both signatures the version comes into force on its date',
        params: VersionParams,
        response: { 200: Agreement, ...problemResponses },
      },
    },
    async (request) => agreements.sign(request.actor, request.params.version),
  );
  app.post(
    '/agreements/:version/withdraw',
    {
      schema: {
        tags,
        summary: 'Withdraw a draft or a proposal',
        params: VersionParams,
        response: { 200: Agreement, ...problemResponses },
      },
    },
    async (request) => agreements.withdraw(request.actor, request.params.version),
  );
  app.get(
    '/agreements/:version/pdf',
    {
      schema: {
        tags,
        summary: 'The version as a PDF, in English or Dutch',
        params: VersionParams,
        querystring: PdfQuery,
        response: { 200: Type.Unknown({ description: 'application/pdf' }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const pdf = await agreements.pdf(request.actor, request.params.version, request.query.lang ?? 'en');
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="baton-agreement-v${request.params.version}.pdf"`)
        .send(pdf);
    },
  );
  app.get(
    '/audit',
    {
      schema: {
        tags,
        summary:
          'Configuration changes the agreement covers and the agreement’s own history; changes outside the agreement in force are flagged',
        querystring: AuditQuery,
        response: { 200: Type.Array(AuditEntry), ...problemResponses },
      },
    },
    async (request) => agreements.audit(request.actor, request.query),
  );
}
