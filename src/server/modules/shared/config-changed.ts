import type { AgreementSection } from '../../../domain/planning/agreement.ts';
import type { EventBus } from '../../platform/event-bus.ts';

/**
 * Runs a configuration change and, once it is committed, announces which section of the alignment
 * agreement it touched (the agreement checks whether the live configuration still matches it).
 */
export async function announcingConfig<T>(
  events: EventBus,
  section: AgreementSection,
  at: Date,
  change: Promise<T>,
): Promise<T> {
  const result = await change;
  events.publish([{ type: 'config.changed', section, at }]);
  return result;
}
