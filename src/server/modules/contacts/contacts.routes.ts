import { Type } from 'typebox';
import { IdParams } from '../../../contract/common.ts';
import {
  Consents,
  RecordConsentBody,
  ContactExport,
  Contact,
  ContactDuplicate,
  ContactPage,
  CreateContactBody,
  ListContactsQuery,
  MergeContactBody,
  Touchpoint,
  UpdateContactBody,
} from '../../../contract/contacts.ts';
import { ChangeStageBody, Lifecycle, StageChange } from '../../../contract/stages.ts';
import { problemResponses, type App } from '../shared/http.ts';
import type { ContactsService } from './contacts.service.ts';

export function contactsRoutes(app: App, { contacts }: { contacts: ContactsService }) {
  const tags = ['contacts'];

  app.get(
    '/contacts',
    {
      schema: {
        tags,
        summary: 'List contacts you may see, newest first',
        querystring: ListContactsQuery,
        response: { 200: ContactPage, ...problemResponses },
      },
    },
    async (request) => contacts.listContacts(request.actor, request.query),
  );

  app.post(
    '/contacts',
    {
      schema: {
        tags,
        summary: 'Create a contact',
        body: CreateContactBody,
        response: { 201: Contact, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await contacts.createContact(request.actor, request.body)),
  );

  app.get(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: 'Get a contact',
        params: IdParams,
        response: { 200: Contact, ...problemResponses },
      },
    },
    async (request) => contacts.getContact(request.actor, request.params.id),
  );

  app.patch(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary: 'Update a contact',
        params: IdParams,
        body: UpdateContactBody,
        response: { 200: Contact, ...problemResponses },
      },
    },
    async (request) => contacts.updateContact(request.actor, request.params.id, request.body),
  );

  app.delete(
    '/contacts/:id',
    {
      schema: {
        tags,
        summary:
          'Erase a person on request (GDPR): everything about them is deleted and the address is suppressed',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await contacts.eraseContact(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/contacts/:id/consents',
    {
      schema: {
        tags,
        summary: 'A person’s consent per purpose (newsletter, sales contact) and every record of it',
        params: IdParams,
        response: { 200: Consents, ...problemResponses },
      },
    },
    async (request) => contacts.listConsents(request.actor, request.params.id),
  );

  app.post(
    '/contacts/:id/consents',
    {
      schema: {
        tags,
        summary:
          'Record consent given or withdrawn for one purpose, with its text and version; a withdrawn sales contact stops routing',
        params: IdParams,
        body: RecordConsentBody,
        response: { 201: Consents, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await contacts.recordConsent(request.actor, request.params.id, request.body)),
  );

  app.get(
    '/contacts/:id/export',
    {
      schema: {
        tags,
        summary:
          'Everything held about a person, on their request (GDPR art. 15 and 20): contact, touches, history, consent, score, audit log',
        params: IdParams,
        response: { 200: ContactExport, ...problemResponses },
      },
    },
    async (request, reply) => {
      const exported = await contacts.exportContact(request.actor, request.params.id);
      return reply
        .header('content-disposition', `attachment; filename="contact-${request.params.id}.json"`)
        .send(exported);
    },
  );

  app.get(
    '/contacts/:id/duplicates',
    {
      schema: {
        tags,
        summary:
          'Contacts that look like the same person, and why (same name at one company or from free mail, same phone)',
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(ContactDuplicate) }), ...problemResponses },
      },
    },
    async (request) => contacts.duplicates(request.actor, request.params.id),
  );

  app.post(
    '/contacts/:id/merge',
    {
      schema: {
        tags,
        summary: 'Merge a duplicate into this contact; its history moves over and the duplicate is removed',
        params: IdParams,
        body: MergeContactBody,
        response: { 200: Contact, ...problemResponses },
      },
    },
    async (request) => contacts.mergeContacts(request.actor, request.params.id, request.body),
  );

  app.get(
    '/contacts/:id/touchpoints',
    {
      schema: {
        tags,
        summary: "The contact's touches and sales activities, oldest first",
        params: IdParams,
        response: { 200: Type.Object({ data: Type.Array(Touchpoint) }), ...problemResponses },
      },
    },
    async (request) => ({ data: await contacts.listTouchpoints(request.actor, request.params.id) }),
  );

  app.get(
    '/contacts/:id/lifecycle',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Current stage, when each stage was entered, and the full stage history',
        params: IdParams,
        response: { 200: Lifecycle, ...problemResponses },
      },
    },
    async (request) => contacts.getLifecycle(request.actor, request.params.id),
  );

  app.post(
    '/contacts/:id/stage-changes',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Move a contact to another stage; backwards and side moves need a reasonCode',
        params: IdParams,
        body: ChangeStageBody,
        response: { 201: StageChange, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await contacts.changeStage(request.actor, request.params.id, request.body)),
  );
}
