/** The five roles of PRODUCT.md §2. */
export const roles = ['admin', 'marketing', 'sales_rep', 'sales_manager', 'director'] as const;
export type Role = (typeof roles)[number];

/**
 * Who is acting. A user signed in through the web app, an integration holding an API key (which
 * carries a role but is nobody in particular), or the operator at the command line.
 */
export type Actor =
  | { kind: 'user'; userId: string; role: Role }
  | { kind: 'api_key'; apiKeyId: string; role: Role }
  | { kind: 'cli' };

/** Every action a route can ask for. Record-level visibility is decided separately. */
export const actions = [
  'me.read',
  'me.update',
  'users.read',
  'users.write',
  'company.read',
  'company.write',
  'teams.read',
  'teams.write',
  'contacts.read',
  'contacts.write',
  'accounts.read',
  'accounts.write',
  'stages.read',
  'stages.write',
  'lifecycle.change',
  'api_keys.manage',
  'webhooks.manage',
  'connectors.manage',
  'events.write',
  'forms.read',
  'forms.write',
  'contacts.erase',
  'contacts.export',
  'contacts.export_list',
  'scoring.read',
  'scoring.write',
  'routing.read',
  'routing.write',
  'leads.route',
  'outbox.manage',
  'mail_log.read',
  'mail_log.configure',
  'sla.read',
  'sla.write',
  'sla.waive',
  'sla.commit',
  'handoff.decide',
  'handoff.configure',
  'opportunities.read',
  'opportunities.write',
  'opportunities.configure',
  'attribution.read',
  'attribution.configure',
  'attribution.costs',
  'planning.read',
  'planning.write',
  'bonus.read',
  'bonus.write',
  'agreements.read',
  'agreements.write',
  'agreements.sign',
  'board.read',
  'audit.read',
  'auditLog.read',
  'auditLog.manage',
] as const;
export type Action = (typeof actions)[number];

const everyone: readonly Role[] = roles;
const workers: readonly Role[] = ['admin', 'marketing', 'sales_rep', 'sales_manager'];

/**
 * The permission matrix. Directors read everything but change no records (PRODUCT.md §2);
 * admins manage people and settings.
 */
const matrix: Record<Action, readonly Role[]> = {
  'me.read': everyone,
  'me.update': everyone,
  'users.read': everyone,
  'users.write': ['admin'],
  // Everyone reads the company's name, time zone and language; admins set it up.
  'company.read': everyone,
  'company.write': ['admin'],
  'teams.read': everyone,
  'teams.write': ['admin'],
  'contacts.read': everyone,
  'contacts.write': workers,
  'accounts.read': everyone,
  'accounts.write': workers,
  'stages.read': everyone,
  'stages.write': ['admin'],
  'lifecycle.change': workers,
  'api_keys.manage': ['admin'],
  'webhooks.manage': ['admin'],
  'connectors.manage': ['admin'],
  // Integrations (website, marketing automation, telephony) send events with a marketing or admin key.
  'events.write': ['admin', 'marketing'],
  'forms.read': ['admin', 'marketing', 'director'],
  'forms.write': ['admin', 'marketing'],
  // Erasure on request (GDPR/AVG art. 17) is handled by whoever answers such requests.
  'contacts.erase': ['admin', 'marketing'],
  // So is the copy of everything held about a person (art. 15 and 20).
  'contacts.export': ['admin', 'marketing'],
  // A list of people leaves Baton: not for reps (who would take their book with them).
  'contacts.export_list': ['admin', 'marketing', 'sales_manager', 'director'],
  // Everyone reads the scoring model and why a lead scored as it did ("one language"); Marketing owns the rules.
  'scoring.read': everyone,
  'scoring.write': ['admin', 'marketing'],
  // Everyone may read how leads are routed and why ("why did I get this lead"); admins set it up.
  'routing.read': everyone,
  'routing.write': ['admin'],
  // Routing a lead by hand and working the unassigned queue is for managers (and admins).
  'leads.route': ['admin', 'sales_manager'],
  'outbox.manage': ['admin'],
  // What the logging address took, dropped and refused.
  'mail_log.read': ['admin'],
  'mail_log.configure': ['admin'],
  'sla.read': everyone,
  'sla.write': ['admin'],
  // Only with a written reason; a director may, though they change no other record.
  'sla.waive': ['admin', 'sales_manager', 'director'],
  // Marketing's commitment to Sales: Marketing makes it; the directors agree targets (PRODUCT.md §2).
  'sla.commit': ['admin', 'marketing', 'director'],
  // The assigned rep, their manager or someone above them; the service checks the chain.
  'handoff.decide': ['admin', 'sales_rep', 'sales_manager', 'director'],
  'handoff.configure': ['admin'],
  'opportunities.read': everyone,
  'opportunities.write': ['admin', 'sales_rep', 'sales_manager'],
  'opportunities.configure': ['admin'],
  // One set of numbers for both teams: everyone reads Marketing's share (a deal's ledger only
  // where its owner is visible). The recognition model is agreed, then set by an admin.
  'attribution.read': everyone,
  'attribution.configure': ['admin'],
  // Marketing enters what its campaigns cost.
  'attribution.costs': ['admin', 'marketing'],
  // One set of numbers: everyone reads targets, the plan and the pace. The heads of both teams
  // (Marketing and the directors) set them; admins set them up.
  'planning.read': everyone,
  'planning.write': ['admin', 'marketing', 'director'],
  // Everyone reads their own bonus statement; the service shows all of them only to directors and admins.
  'bonus.read': everyone,
  'bonus.write': ['admin', 'director'],
  // The agreement is read by all; either head drafts and proposes it; only the two named heads sign.
  'agreements.read': everyone,
  'agreements.write': ['admin', 'marketing', 'director'],
  'agreements.sign': ['marketing', 'director'],
  'board.read': ['admin', 'marketing', 'sales_manager', 'director'],
  'audit.read': ['admin', 'marketing', 'director'],
  // Who did what from where, sign-ins included: for admins only.
  'auditLog.read': ['admin'],
  'auditLog.manage': ['admin'],
};

/**
 * Decides whether an actor may perform an action at all.
 *
 * @example isAllowed({ kind: 'user', userId: 'u1', role: 'director' }, 'contacts.write') // false
 */
export function isAllowed(actor: Actor, action: Action): boolean {
  if (actor.kind === 'cli') return true;
  if (actor.kind === 'api_key' && action.startsWith('me.')) return false;
  return matrix[action].includes(actor.role);
}

/** Which records of people-owned data (contacts, accounts) an actor may see. */
export type Visibility = { kind: 'all' } | { kind: 'owned_by'; userIds: readonly string[] };

/**
 * Decides record visibility: a rep sees their own records, a manager their team's, marketing,
 * directors and admins all (PRODUCT.md §2). An API key with a rep or manager role belongs to no
 * person, so it sees no owned records.
 *
 * @example decideVisibility({ kind: 'user', userId: 'm', role: 'sales_manager' }, ['r1']) // owned_by m, r1
 */
export function decideVisibility(actor: Actor, managedUserIds: readonly string[]): Visibility {
  if (actor.kind === 'cli') return { kind: 'all' };
  switch (actor.role) {
    case 'admin':
    case 'marketing':
    case 'director':
      return { kind: 'all' };
    case 'sales_manager':
      return actor.kind === 'user'
        ? { kind: 'owned_by', userIds: [actor.userId, ...managedUserIds] }
        : { kind: 'owned_by', userIds: [] };
    case 'sales_rep':
      return actor.kind === 'user'
        ? { kind: 'owned_by', userIds: [actor.userId] }
        : { kind: 'owned_by', userIds: [] };
  }
}

/**
 * Whether a lead may be routed (or its routing previewed) under `visibility`: a manager routes the
 * leads nobody owns and those owned within their team (PRODUCT.md §2), never another team's.
 *
 * @example canRoute({ kind: 'owned_by', userIds: ['m', 'r1'] }, null) // true
 */
export function canRoute(visibility: Visibility, ownerId: string | null): boolean {
  return ownerId === null || canSee(visibility, ownerId);
}

/** Whether a record owned by `ownerId` is visible under `visibility`. */
export function canSee(visibility: Visibility, ownerId: string | null): boolean {
  if (visibility.kind === 'all') return true;
  return ownerId !== null && visibility.userIds.includes(ownerId);
}
