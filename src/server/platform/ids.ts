import { v7 } from 'uuid';

/** Time-ordered UUIDv7 ids (docs/adr/0001-ids.md). */
export function newId(): string {
  return v7();
}
