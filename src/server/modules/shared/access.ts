import { isAllowed, type Action, type Actor } from '../../../domain/access/roles.ts';
import { createError } from './errors.ts';

/**
 * The gate every service method passes first: no actor is 401, a role without the action is 403.
 * Record-level checks come after, in the service, with the record in hand.
 */
export function authorize(actor: Actor | null, action: Action): Actor {
  if (!actor) throw createError('auth.unauthenticated');
  if (!isAllowed(actor, action)) throw createError('auth.forbidden', `Your role may not perform ${action}`);
  return actor;
}

/** Who did it, as stored in history rows. */
export function actorRef(actor: Actor): { kind: 'user' | 'api_key' | 'system'; id: string | null } {
  switch (actor.kind) {
    case 'user':
      return { kind: 'user', id: actor.userId };
    case 'api_key':
      return { kind: 'api_key', id: actor.apiKeyId };
    case 'cli':
      return { kind: 'system', id: null };
  }
}
