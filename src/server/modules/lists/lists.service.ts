import type { Contact } from '../../../contract/contacts.ts';
import {
  contactColumns,
  ViewState,
  type BulkContactsBody,
  type BulkContactsResponse,
  type ContactColumn,
  type CreateViewBody,
  type ExportContactsQuery,
  type ListViewsQuery,
  type SavedView,
  type UpdateViewBody,
} from '../../../contract/lists.ts';
import type { Actor } from '../../../domain/access/roles.ts';
import { fromDbBool, fromDbTime, toDbTime } from '../../db/dialect.ts';
import { readJson } from '../../db/json-column.ts';
import type { SavedViewsTable } from '../../db/tables.ts';
import type { Selectable } from 'kysely';
import { newId } from '../../platform/ids.ts';
import type { ContactsService } from '../contacts/contacts.service.ts';
import type { RoutingService } from '../routing/routing.service.ts';
import { actorRef, authorize } from '../shared/access.ts';
import type { ServiceDeps } from '../shared/deps.ts';
import { writeCsv } from '../shared/csv.ts';
import { AppError, createError, fieldError } from '../shared/errors.ts';
import { insertAuditEntry } from '../shared/audit.repository.ts';
import { inTransaction } from '../shared/transaction.ts';
import { findUsersByIds } from '../users/users.repository.ts';
import { deleteView, findViewById, findViews, insertView, updateView } from './lists.repository.ts';

/** The most rows one export writes; a bigger list is narrowed first (a spreadsheet holds ~1M). */
export const maxExportRows = 100_000;

/** The person a view belongs to: views are a person's, not an integration's. */
function personOf(who: Actor): string {
  if (who.kind !== 'user') throw createError('auth.forbidden', 'A saved view belongs to a person: sign in');
  return who.userId;
}

function toView(row: Selectable<SavedViewsTable>, readerId: string | null): SavedView {
  return {
    id: row.id,
    list: row.list as SavedView['list'],
    name: row.name,
    state: readJson(ViewState, row.state, 'saved_views.state'),
    shared: fromDbBool(row.is_shared),
    ownerId: row.owner_id,
    mine: row.owner_id === readerId,
    createdAt: fromDbTime(row.created_at).toISOString(),
    updatedAt: fromDbTime(row.updated_at).toISOString(),
  };
}

/**
 * What people do with a list of contacts beside reading it: keep a view of it (the search, the
 * filters and the columns under a name), act on many at once, and take it out as CSV. A bulk
 * action is each contact's own action, one by one, so each is checked, recorded and announced as
 * when done alone, and one refused contact never stops the others. The export reads the list
 * through the same function as the screen, page after page, so its rows are the screen's rows.
 */
export function createListsService(
  { db, clock }: ServiceDeps,
  { contacts, routing }: { contacts: ContactsService; routing: RoutingService },
) {
  const nameTaken = () => fieldError('views.name_taken', 'name', 'you already have a view with this name');

  /** A view the reader may change: their own. */
  const ownView = async (who: Actor, id: string) => {
    const row = await findViewById(db, id);
    const readerId = who.kind === 'user' ? who.userId : null;
    if (!row || (row.owner_id !== readerId && !fromDbBool(row.is_shared)))
      throw createError('views.not_found');
    if (row.owner_id !== readerId) throw createError('views.not_yours');
    return row;
  };

  return {
    async listViews(actor: Actor | null, query: ListViewsQuery): Promise<SavedView[]> {
      const who = authorize(actor, 'contacts.read');
      const readerId = who.kind === 'user' ? who.userId : null;
      return (await findViews(db, query.list, readerId)).map((row) => toView(row, readerId));
    },

    async createView(actor: Actor | null, input: CreateViewBody): Promise<SavedView> {
      const who = authorize(actor, 'contacts.read');
      const ownerId = personOf(who);
      const now = toDbTime(clock.now());
      const id = newId();
      return inTransaction(
        db,
        async (trx) => {
          await insertView(trx, {
            id,
            owner_id: ownerId,
            list: input.list,
            name: input.name.trim(),
            state: JSON.stringify(input.state),
            is_shared: input.shared ?? false,
            created_at: now,
            updated_at: now,
          });
          return toView((await findViewById(trx, id))!, ownerId);
        },
        nameTaken,
      );
    },

    async updateView(actor: Actor | null, id: string, input: UpdateViewBody): Promise<SavedView> {
      const who = authorize(actor, 'contacts.read');
      const ownerId = personOf(who);
      await ownView(who, id);
      return inTransaction(
        db,
        async (trx) => {
          await updateView(trx, id, {
            ...(input.name !== undefined && { name: input.name.trim() }),
            ...(input.state !== undefined && { state: JSON.stringify(input.state) }),
            ...(input.shared !== undefined && { is_shared: input.shared }),
            updated_at: toDbTime(clock.now()),
          });
          return toView((await findViewById(trx, id))!, ownerId);
        },
        nameTaken,
      );
    },

    async deleteView(actor: Actor | null, id: string): Promise<void> {
      const who = authorize(actor, 'contacts.read');
      personOf(who);
      await ownView(who, id);
      await deleteView(db, id);
    },

    /**
     * Assigns or recycles many contacts, each as on its own page: a contact the reader may not see
     * or act on is refused with its own problem, and the rest are done.
     */
    async bulk(actor: Actor | null, input: BulkContactsBody): Promise<BulkContactsResponse> {
      const who = authorize(
        actor,
        input.action === 'assign'
          ? 'leads.route'
          : input.action === 'recycle'
            ? 'lifecycle.change'
            : 'contacts.write',
      );
      const results: BulkContactsResponse['results'] = [];
      for (const contactId of input.contactIds) {
        try {
          if (input.action === 'assign')
            await routing.reassign(who, contactId, { userId: input.userId, reason: input.reason });
          else if (input.action === 'add_to_campaign')
            await contacts.addToCampaign(who, contactId, input.campaign);
          else
            await contacts.changeStage(who, contactId, {
              to: 'recycled',
              reasonCode: input.reasonCode,
              ...(input.note !== undefined && { note: input.note }),
            });
          results.push({ contactId, status: 'done' });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          results.push({
            contactId,
            status: 'failed',
            code: error.code,
            detail: error.message,
            ...(error.fieldErrors && { errors: error.fieldErrors }),
          });
        }
      }
      const done = results.filter((r) => r.status === 'done').length;
      return { done, failed: results.length - done, results };
    },

    /**
     * The list as CSV, with the screen's search and filters and the chosen columns: the same rows
     * in the same order as the screen shows them. Formulas are neutralised, and the export is in
     * the audit log with its filters and row count.
     */
    async exportContacts(actor: Actor | null, query: ExportContactsQuery): Promise<string> {
      const who = authorize(actor, 'contacts.export_list');
      const { columns: chosen, ...filters } = query;
      const columns = chosen ? (chosen.split(',') as ContactColumn[]) : [...contactColumns];
      const rows: Contact[] = [];
      let cursor: string | undefined;
      do {
        const page = await contacts.listContacts(who, {
          ...filters,
          limit: 200,
          ...(cursor !== undefined && { cursor }),
        });
        rows.push(...page.data);
        if (rows.length > maxExportRows)
          throw createError(
            'contacts.export_too_large',
            `More than ${maxExportRows} contacts match; narrow the search or the filters`,
          );
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      const owners = new Map(
        (await findUsersByIds(db, [...new Set(rows.flatMap((c) => (c.ownerId ? [c.ownerId] : [])))])).map(
          (u) => [u.id, u],
        ),
      );
      const cells: Record<ContactColumn, { headers: string[]; of: (c: Contact) => string[] }> = {
        name: { headers: ['first_name', 'last_name'], of: (c) => [c.firstName ?? '', c.lastName ?? ''] },
        email: { headers: ['email'], of: (c) => [c.email ?? ''] },
        phone: { headers: ['phone'], of: (c) => [c.phone ?? ''] },
        stage: { headers: ['stage'], of: (c) => [c.stage] },
        owner: {
          headers: ['owner_name', 'owner_email'],
          of: (c) => {
            const owner = c.ownerId ? owners.get(c.ownerId) : undefined;
            return [owner?.name ?? '', owner?.email ?? ''];
          },
        },
        created: { headers: ['created_at'], of: (c) => [c.createdAt] },
      };
      const csv = writeCsv(
        rows.map((c) => [c.id, ...columns.flatMap((key) => cells[key].of(c))]),
        ['id', ...columns.flatMap((key) => cells[key].headers)],
      );
      await insertAuditEntry(db, {
        action: 'contacts.list_exported',
        occurredAt: clock.now(),
        actor: actorRef(who),
        details: { filters, columns, rows: rows.length },
      });
      return csv;
    },
  };
}

export type ListsService = ReturnType<typeof createListsService>;
