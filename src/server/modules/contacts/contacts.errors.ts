import type { StageChangeDecision } from '../../../domain/lifecycle/decide-stage-change.ts';
import { createError, fieldError } from '../shared/errors.ts';

/** Also the answer when the contact exists but the actor may not see it: they learn nothing. */
export const contactNotFound = () => createError('contacts.not_found');
export const contactEmailTaken = () =>
  fieldError('contacts.email_taken', 'email', 'a contact with this email exists');
export const invalidOwner = (reason: string) => fieldError('contacts.invalid_owner', 'ownerId', reason);
export const invalidAccount = () => fieldError('contacts.invalid_account', 'accountId', 'no such account');
export const concurrentStageChange = () => createError('lifecycle.concurrent_change');
export const invalidOccurredAt = (reason: string) =>
  fieldError('lifecycle.occurred_at_invalid', 'occurredAt', reason);

export function stageChangeRefused(
  decision: Extract<StageChangeDecision, { kind: 'refused' }>,
  field: string,
) {
  switch (decision.reason) {
    case 'unknown_stage':
      return fieldError('lifecycle.unknown_stage', field, 'no such stage');
    case 'same_stage':
      return createError('lifecycle.same_stage');
    case 'not_allowed':
      return createError('lifecycle.transition_not_allowed');
    case 'initial_side_stage':
      return fieldError('lifecycle.initial_side_stage', field, 'a new contact cannot start in a side stage');
    case 'reason_required':
      return fieldError(
        'lifecycle.reason_required',
        'reasonCode',
        decision.direction === 'side'
          ? 'moving to a side stage needs a reason code'
          : 'moving backwards needs a reason code',
      );
  }
}
