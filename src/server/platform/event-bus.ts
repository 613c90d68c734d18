import type { AgreementSection } from '../../domain/planning/agreement.ts';

/**
 * What happened, announced after it is committed. Scoring, routing and the SLA subscribe here
 * without capture knowing about them. Within one process; handlers that must survive a crash read
 * the stored history (touchpoints, events) rather than rely on this alone.
 */
export type DomainEvent =
  | { type: 'contact.created'; contactId: string; touchId: string | null; at: Date }
  | { type: 'contact.stage_changed'; contactId: string; from: string | null; to: string; at: Date }
  | { type: 'lead.assigned'; contactId: string; userId: string; at: Date }
  | { type: 'lead.unassigned'; contactId: string; at: Date }
  | { type: 'outbox.queued'; count: number; at: Date }
  | { type: 'webhook.queued'; at: Date }
  /** Configuration the alignment agreement covers was changed (see agreements.checkDrift). */
  | { type: 'config.changed'; section: AgreementSection; at: Date }
  | {
      type: 'touch.recorded';
      touchId: string;
      contactId: string | null;
      eventType: string;
      category: 'marketing' | 'sales';
      occurredAt: Date;
    };

type Handler<T extends DomainEvent['type']> = (
  event: Extract<DomainEvent, { type: T }>,
) => void | Promise<void>;

export interface EventBus {
  publish(events: readonly DomainEvent[]): void;
  subscribe<T extends DomainEvent['type']>(type: T, handler: Handler<T>): () => void;
  /**
   * Resolves once every handler started so far has finished, and those they started in turn: a
   * shutdown waits for the reactions in flight, and a test for the reactions it caused.
   */
  settled(): Promise<void>;
}

/** A handler's failure is reported and does not reach the publisher: the events are already stored. */
export function createEventBus(onError: (error: unknown, event: DomainEvent) => void): EventBus {
  const handlers = new Map<string, Set<(event: DomainEvent) => void | Promise<void>>>();
  const running = new Set<Promise<void>>();
  return {
    publish(events) {
      for (const event of events) {
        for (const handler of handlers.get(event.type) ?? []) {
          try {
            const result = handler(event);
            if (result instanceof Promise) {
              const done: Promise<void> = result
                .catch((error: unknown) => onError(error, event))
                .finally(() => running.delete(done));
              running.add(done);
            }
          } catch (error) {
            onError(error, event);
          }
        }
      }
    },
    subscribe(type, handler) {
      const set = handlers.get(type) ?? new Set();
      const wrapped = handler as (event: DomainEvent) => void | Promise<void>;
      set.add(wrapped);
      handlers.set(type, set);
      return () => set.delete(wrapped);
    },
    async settled() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
