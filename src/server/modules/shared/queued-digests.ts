import { Type, type Static } from 'typebox';
import { Nullable } from '../../../contract/common.ts';
import { readJson, StoredJsonError } from '../../db/json-column.ts';

/** A lead in a queued digest of ladder steps. */
const QueuedDigestLead = Type.Object({
  instanceId: Type.String(),
  stepIndex: Type.Integer(),
  contactId: Type.String(),
  level: Type.Integer(),
  repId: Nullable(Type.String()),
  policyId: Type.String(),
  deadline: Type.String(),
  overdueMs: Type.Number(),
});
export type QueuedDigestLead = Static<typeof QueuedDigestLead>;

/** What a queued digest keeps until it is rendered: the kind of step, whether to the rep, the leads. */
export interface QueuedDigest {
  kind: 'reminder' | 'breach';
  toRep: boolean;
  items: QueuedDigestLead[];
}

const kind = Type.Enum(['reminder', 'breach']);

/** As digests were stored before: an object per lead, every key named each time. */
const StoredByItem = Type.Object({ kind, toRep: Type.Boolean(), items: Type.Array(QueuedDigestLead) });

/**
 * As digests are stored: the reps and policies named once, and a lead a row of values — instance,
 * step, lead, level, rep (its place in `reps`), policy (its place in `policies`), deadline, how
 * long overdue. A sweep after an outage writes one digest of thousands of leads inside the sweep's
 * transaction: this is under half the bytes.
 */
const StoredByRow = Type.Object({
  kind,
  toRep: Type.Boolean(),
  reps: Type.Array(Nullable(Type.String())),
  policies: Type.Array(Type.String()),
  rows: Type.Array(
    Type.Tuple([
      Type.String(),
      Type.Integer(),
      Type.String(),
      Type.Integer(),
      Type.Integer({ minimum: 0 }),
      Type.Integer({ minimum: 0 }),
      Type.String(),
      Type.Number(),
    ]),
  ),
});

const StoredDigest = Type.Union([StoredByRow, StoredByItem]);

/** A digest as the outbox stores it (`outbox.params`). */
export function writeDigest(digest: QueuedDigest): string {
  const reps = new Map<string | null, number>();
  const policies = new Map<string, number>();
  const placeOf = <K>(places: Map<K, number>, key: K) => {
    let place = places.get(key);
    if (place === undefined) places.set(key, (place = places.size));
    return place;
  };
  const rows = digest.items.map((i) => [
    i.instanceId,
    i.stepIndex,
    i.contactId,
    i.level,
    placeOf(reps, i.repId),
    placeOf(policies, i.policyId),
    i.deadline,
    i.overdueMs,
  ]);
  return JSON.stringify({
    kind: digest.kind,
    toRep: digest.toRep,
    reps: [...reps.keys()],
    policies: [...policies.keys()],
    rows,
  });
}

/** A stored digest read back, in either form it was written in; a rep or policy out of range is an error. */
export function readDigest(value: unknown): QueuedDigest {
  const stored = readJson(StoredDigest, value, 'outbox.params');
  if ('items' in stored) return stored;
  const named = <T>(list: readonly T[], place: number): T => {
    if (place >= list.length)
      throw new StoredJsonError('outbox.params', `names entry ${place} of a list of ${list.length}`);
    return list[place]!;
  };
  return {
    kind: stored.kind,
    toRep: stored.toRep,
    items: stored.rows.map(([instanceId, stepIndex, contactId, level, rep, policy, deadline, overdueMs]) => ({
      instanceId,
      stepIndex,
      contactId,
      level,
      repId: named(stored.reps, rep),
      policyId: named(stored.policies, policy),
      deadline,
      overdueMs,
    })),
  };
}
