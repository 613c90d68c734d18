/**
 * Every error code Baton answers with, listed once. A module may only raise codes from this list;
 * the HTTP status belongs to the code, so the same problem always has the same status.
 */
export const errorCatalog = {
  'http.bad_request': { status: 400, title: 'The request is malformed' },
  'http.validation_failed': { status: 400, title: 'The request has invalid fields' },
  'http.not_found': { status: 404, title: 'No such route' },
  'http.method_not_allowed': { status: 405, title: 'Method not allowed' },
  'http.payload_too_large': { status: 413, title: 'The request body is too large' },
  'http.unsupported_media_type': { status: 415, title: 'Unsupported content type' },
  'http.request_timeout': { status: 408, title: 'The request took too long to arrive' },
  'http.uri_too_long': { status: 414, title: 'The address is too long' },
  'http.headers_too_large': { status: 431, title: 'The request headers are too large' },
  'http.too_many_requests': { status: 429, title: 'Too many requests; slow down' },
  'http.internal_error': { status: 500, title: 'Something went wrong on our side' },
  'http.unavailable': { status: 503, title: 'The service is unavailable' },

  'auth.unauthenticated': { status: 401, title: 'Sign in or pass an API key' },
  'auth.invalid_credentials': { status: 401, title: 'Email or password is wrong' },
  'auth.invalid_api_key': { status: 401, title: 'The API key is unknown or revoked' },
  'auth.forbidden': { status: 403, title: 'Your role may not do this' },
  'auth.cross_origin': { status: 403, title: 'The request came from another site' },
  'auth.too_many_attempts': { status: 429, title: 'Too many failed sign-in attempts' },
  'auth.weak_password': { status: 400, title: 'The password is too weak' },

  'users.not_found': { status: 404, title: 'No such user' },
  'users.email_taken': { status: 409, title: 'A user with this email exists' },
  'users.invalid_manager': { status: 400, title: 'This manager does not fit the escalation chain' },
  'users.invalid_time_zone': { status: 400, title: 'Unknown time zone' },
  'users.invalid_working_hours': { status: 400, title: 'Invalid working hours' },
  'users.cannot_deactivate_self': { status: 409, title: 'You cannot deactivate yourself' },

  'teams.not_found': { status: 404, title: 'No such team' },
  'teams.name_taken': { status: 409, title: 'A team with this name exists' },
  'teams.invalid_manager': { status: 400, title: 'This user cannot manage a team' },
  'teams.invalid_member': { status: 400, title: 'A member does not exist' },

  'contacts.not_found': { status: 404, title: 'No such contact' },
  'contacts.email_taken': { status: 409, title: 'A contact with this email exists' },
  'contacts.invalid_owner': { status: 400, title: 'The owner is not an active user' },
  'contacts.merge_same': { status: 400, title: 'A contact cannot be merged into itself' },
  'contacts.invalid_account': { status: 400, title: 'The account does not exist' },

  'accounts.not_found': { status: 404, title: 'No such account' },
  'accounts.domain_taken': { status: 409, title: 'Another account has this domain' },
  'accounts.invalid_owner': { status: 400, title: 'The owner is not an active user' },

  'stages.not_found': { status: 404, title: 'No such stage' },
  'stages.key_taken': { status: 409, title: 'A stage with this key exists' },
  'stages.invalid_transition_target': { status: 400, title: 'An allowed next stage does not exist' },

  'lifecycle.unknown_stage': { status: 400, title: 'No such stage' },
  'lifecycle.same_stage': { status: 409, title: 'The contact is already in this stage' },
  'lifecycle.transition_not_allowed': { status: 409, title: 'This stage change is not allowed' },
  'lifecycle.reason_required': { status: 400, title: 'This stage change needs a reason code' },
  'lifecycle.concurrent_change': {
    status: 409,
    title: 'The stage changed meanwhile; read it again and retry',
  },
  'lifecycle.occurred_at_invalid': { status: 400, title: 'The time of the stage change is not possible' },
  'lifecycle.initial_side_stage': { status: 400, title: 'A new contact cannot start in a side stage' },

  'idempotency.key_reused': { status: 422, title: 'This Idempotency-Key was used for a different request' },

  'scoring.model_not_found': { status: 404, title: 'No such scoring model' },
  'scoring.model_not_draft': { status: 409, title: 'Only a draft scoring model can be changed or activated' },
  'scoring.run_not_found': { status: 404, title: 'No such scoring run' },
  'scoring.not_scored': { status: 404, title: 'This contact has not been scored yet' },
  'scoring.no_active_model': { status: 409, title: 'No scoring model is active' },
  'scoring.not_enough_outcomes': {
    status: 409,
    title: 'Too few contacts with a known outcome to learn from',
  },

  'routing.pool_not_found': { status: 404, title: 'No such routing pool' },
  'routing.pool_name_taken': { status: 409, title: 'A routing pool with this name exists' },
  'routing.invalid_assignee': { status: 400, title: 'The lead cannot be given to this person' },
  'outbox.not_found': { status: 404, title: 'No such message' },
  'sla.policy_not_found': { status: 404, title: 'No such SLA policy' },
  'sla.calendar_not_found': { status: 404, title: 'No such business calendar' },
  'sla.calendar_name_taken': { status: 409, title: 'A business calendar with this name exists' },
  'sla.invalid_calendar': { status: 400, title: 'A business calendar that cannot be used' },
  'sla.clock_not_found': { status: 404, title: 'No such SLA clock' },
  'sla.not_waivable': { status: 409, title: 'Only a breached clock can be waived' },
  'handoff.not_an_mql': { status: 409, title: 'Only an MQL can be accepted or rejected' },
  'handoff.not_a_sal': { status: 409, title: 'Only an accepted lead (SAL) can be qualified' },
  'handoff.unassigned': { status: 409, title: 'The lead has no rep yet; route it first' },
  'handoff.not_allowed': {
    status: 403,
    title: 'Only the assigned rep, their manager or someone above them may decide on this lead',
  },
  'handoff.activity_in_future': { status: 400, title: 'An activity cannot be logged ahead of time' },
  'handoff.no_email': {
    status: 409,
    title: 'The lead has no email address to log the activity under; add one first',
  },
  'handoff.unknown_reason': { status: 400, title: 'No such active rejection reason' },
  'handoff.reason_exists': { status: 409, title: 'A rejection reason with this key exists' },
  'handoff.reason_not_found': { status: 404, title: 'No such rejection reason' },
  'handoff.checklist_incomplete': {
    status: 400,
    title: 'Every item of the qualification checklist must hold',
  },
  'opportunities.not_found': { status: 404, title: 'No such opportunity' },
  'opportunities.unknown_stage': { status: 400, title: 'No such active opportunity stage' },
  'opportunities.stage_exists': { status: 409, title: 'An opportunity stage with this key exists' },
  'opportunities.stage_not_found': { status: 404, title: 'No such opportunity stage' },
  'opportunities.stage_required': {
    status: 409,
    title: 'The pipeline needs an active open stage, a won stage and a lost stage',
  },
  'opportunities.closed': { status: 409, title: 'A won or lost opportunity does not move' },
  'opportunities.invalid_contact': { status: 400, title: 'The contact cannot be on this opportunity' },
  'opportunities.invalid_owner': { status: 400, title: 'The owner is not an active sales user' },
  'sla.commitment_not_found': { status: 404, title: 'No such marketing commitment' },
  'sla.commitment_exists': { status: 409, title: 'Marketing already has a commitment for this period' },
  'outbox.not_retryable': { status: 409, title: 'Only a dead or cancelled message can be sent again' },
  'outbox.not_cancellable': { status: 409, title: 'Only a message not sent yet can be cancelled' },

  'forms.not_found': { status: 404, title: 'No such form' },
  'forms.origin_not_allowed': { status: 403, title: 'This form does not accept posts from this website' },
  'forms.email_required': { status: 400, title: 'The form needs an email address' },

  'api_keys.not_found': { status: 404, title: 'No such API key' },

  'attribution.bad_journeys_file': { status: 400, title: 'The journeys file cannot be read' },
  'attribution.campaign_cost_not_found': { status: 404, title: 'No such campaign cost' },

  'planning.target_not_found': { status: 404, title: 'No such target' },
  'planning.plan_not_found': { status: 404, title: 'No such plan' },
  'planning.deal_size_required': { status: 400, title: 'The plan needs an average deal size' },
  'bonus.plan_not_found': { status: 404, title: 'No bonus plan for this period' },
  'bonus.plan_exists': { status: 409, title: 'The period already has a bonus plan' },
  'agreements.not_found': { status: 404, title: 'No such agreement version' },
  'agreements.not_draft': { status: 409, title: 'Only a draft can be changed or proposed' },
  'agreements.not_proposed': { status: 409, title: 'Only a proposed version can be signed or withdrawn' },
  'agreements.not_signer': { status: 403, title: 'Only the heads named in the proposal sign it' },
  'agreements.already_signed': { status: 409, title: 'This side has signed already' },
  'agreements.invalid_signer': { status: 400, title: 'The signer cannot sign for this side' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalog;
