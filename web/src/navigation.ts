import type { Role } from '../../src/contract/common.ts';

/*
 * The screens of the web app and which of them each role works in: the menu, and the walks the
 * browser tests take through every page of a role.
 */

export type NavKey =
  | 'onboarding'
  | 'overview'
  | 'attribution'
  | 'board'
  | 'plan'
  | 'agreement'
  | 'bonus'
  | 'leads'
  | 'contacts'
  | 'accounts'
  | 'team'
  | 'unassigned'
  | 'handoff'
  | 'commitments'
  | 'import'
  | 'forms'
  | 'scoring'
  | 'settings'
  | 'auditLog'
  | 'privacy'
  | 'glossary'
  | 'profile';

export const paths: Record<NavKey, string> = {
  onboarding: '/getting-started',
  overview: '/overview',
  attribution: '/attribution',
  board: '/board',
  plan: '/plan',
  agreement: '/agreement',
  bonus: '/bonus',
  forms: '/forms',
  scoring: '/scoring',
  settings: '/settings',
  auditLog: '/audit-log',
  privacy: '/privacy',
  leads: '/leads',
  contacts: '/contacts',
  accounts: '/accounts',
  team: '/team',
  unassigned: '/queue/unassigned',
  handoff: '/handoff',
  commitments: '/commitments',
  import: '/import',
  glossary: '/glossary',
  profile: '/profile',
};

/** Which screens each role works in (PRODUCT.md §2); everyone has the glossary and their profile. */
export const navOf: Record<Role, NavKey[]> = {
  sales_rep: ['leads', 'contacts', 'accounts', 'plan', 'agreement', 'bonus', 'glossary', 'profile'],
  sales_manager: [
    'team',
    'unassigned',
    'leads',
    'contacts',
    'accounts',
    'overview',
    'board',
    'plan',
    'attribution',
    'commitments',
    'agreement',
    'bonus',
    'glossary',
    'profile',
  ],
  director: [
    'overview',
    'board',
    'plan',
    'agreement',
    'attribution',
    'bonus',
    'team',
    'handoff',
    'contacts',
    'accounts',
    'commitments',
    'scoring',
    'glossary',
    'profile',
  ],
  marketing: [
    'handoff',
    'contacts',
    'accounts',
    'commitments',
    'attribution',
    'overview',
    'board',
    'plan',
    'agreement',
    'bonus',
    'forms',
    'scoring',
    'import',
    'privacy',
    'glossary',
    'profile',
  ],
  admin: [
    'onboarding',
    'overview',
    'board',
    'plan',
    'agreement',
    'attribution',
    'bonus',
    'team',
    'unassigned',
    'leads',
    'contacts',
    'accounts',
    'handoff',
    'commitments',
    'forms',
    'scoring',
    'import',
    'settings',
    'auditLog',
    'privacy',
    'glossary',
    'profile',
  ],
};
