import { fromDbTime, toDbTime } from '../../db/dialect.ts';
import { CrmError } from '../../platform/hubspot.ts';
import {
  findCursor,
  findLinksByLocal,
  findRejections,
  saveCursor,
  upsertLink,
  type ConnectionRow,
} from './connectors.repository.ts';
import type { Inbound, InboundDeps } from './inbound.ts';

/*
 * Baton's decisions that become records in the CRM, whichever CRM it is: a lead sent back to
 * Marketing becomes a note on the person with the reason. A retry after a crash never makes a second
 * note: the note is marked as being written (a link to `pending`) before it is made, carries Baton's
 * marker, and a marked note found on the person is taken instead of writing another.
 */

/** What a CRM does with a note on a person. */
export interface NoteWriter {
  /** Writes a note on the person; its id in the CRM. */
  create(personRemoteId: string, body: string, at: Date): Promise<string>;
  /** The note on the person that carries `marker`, if one was written before. */
  find(personRemoteId: string, marker: string): Promise<string | null>;
}

const pending = 'pending';
/** A rejection committed late (a long transaction) is still seen when the cursor lags this much. */
const lagMs = 60_000;

/** The marker a note carries: the stage change it tells of. */
export const noteMarker = (stageChangeId: string) => `[baton:${stageChangeId}]`;

export async function pushRejectionNotes(
  deps: Pick<InboundDeps, 'db' | 'clock'>,
  connection: Pick<ConnectionRow, 'id'>,
  inbound: Pick<Inbound, 'note'>,
  writer: NoteWriter,
): Promise<number> {
  const { db, clock } = deps;
  const id = connection.id;
  const saved = await findCursor(db, id, 'out:notes');
  const start = '00000000-0000-0000-0000-000000000000';
  // A new connection tells of what is sent back from now on, not of the years before it.
  if (!saved) {
    await saveCursor(
      db,
      id,
      'out:notes',
      JSON.stringify([toDbTime(clock.now()), start]),
      toDbTime(clock.now()),
    );
    return 0;
  }
  const [since, afterId] = JSON.parse(saved) as [string, string];
  let position: [string, string] = [
    toDbTime(new Date(Math.max(0, new Date(since).getTime() - lagMs))),
    start,
  ];
  let newest: [string, string] = [since, afterId];
  let written = 0;
  for (;;) {
    const rejections = await findRejections(db, position[0], position[1], 200);
    if (rejections.length === 0) break;
    const people = new Map(
      (
        await findLinksByLocal(
          db,
          id,
          'contact',
          rejections.map((r) => r.contact_id),
        )
      ).map((l) => [l.local_id, l.remote_id]),
    );
    const done = new Map(
      (
        await findLinksByLocal(
          db,
          id,
          'note',
          rejections.map((r) => r.id),
        )
      ).map((l) => [l.local_id, l.remote_id]),
    );
    for (const rejection of rejections) {
      const person = people.get(rejection.contact_id);
      const known = done.get(rejection.id);
      if (!person || (known && !known.startsWith(`${pending}:`))) continue;
      const marker = noteMarker(rejection.id);
      const at = fromDbTime(rejection.occurred_at);
      const body = [
        `${rejection.to_stage === 'recycled' ? 'Sent back to Marketing' : 'Disqualified'} in Baton${
          (rejection.actor_name ?? rejection.actor_label)
            ? ` by ${rejection.actor_name ?? rejection.actor_label}`
            : ''
        }: ${rejection.label_en ?? rejection.reason_code ?? 'no reason given'}.`,
        ...(rejection.note ? [rejection.note] : []),
        marker,
      ].join('\n');
      const link = (remote: string) =>
        upsertLink(db, {
          connection_id: id,
          object_type: 'note',
          remote_id: remote,
          local_id: rejection.id,
          pushed_hash: null,
          pushed_at: toDbTime(clock.now()),
          pulled_hash: null,
          pulled_at: null,
        });
      try {
        // Written before: a crash came between writing it and linking it.
        const found = known ? await writer.find(person, marker) : null;
        if (!found) await link(`${pending}:${rejection.id}`);
        await link(found ?? (await writer.create(person, body, at)));
        written += 1;
      } catch (error) {
        if (
          error instanceof CrmError &&
          (error.failure === 'auth' || error.failure === 'rate_limited' || error.failure === 'unavailable')
        )
          throw error;
        inbound.note({
          direction: 'out',
          object_type: 'note',
          remote_id: person,
          local_id: rejection.contact_id,
          outcome: 'error',
          code: 'connectors.write_refused',
          message: error instanceof Error ? error.message : String(error),
          payload: null,
        });
      }
    }
    const last = rejections.at(-1)!;
    position = [toDbTime(fromDbTime(last.recorded_at)), last.id];
    if (position[0] > newest[0] || (position[0] === newest[0] && position[1] > newest[1])) newest = position;
    await saveCursor(db, id, 'out:notes', JSON.stringify(newest), toDbTime(clock.now()));
    if (rejections.length < 200) break;
  }
  return written;
}
