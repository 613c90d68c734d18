import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actions, canRoute, canSee, decideVisibility, isAllowed, roles, type Actor } from './roles.ts';

const user = (
  role: Actor extends infer A ? (A extends { role: infer R } ? R : never) : never,
  userId = 'u1',
): Actor => ({
  kind: 'user',
  userId,
  role,
});

describe('isAllowed', () => {
  it.each([
    { role: 'director', action: 'contacts.read', allowed: true },
    { role: 'director', action: 'contacts.write', allowed: false },
    { role: 'director', action: 'lifecycle.change', allowed: false },
    { role: 'sales_rep', action: 'contacts.write', allowed: true },
    { role: 'sales_rep', action: 'users.write', allowed: false },
    { role: 'marketing', action: 'stages.write', allowed: false },
    { role: 'admin', action: 'stages.write', allowed: true },
    { role: 'sales_manager', action: 'api_keys.manage', allowed: false },
  ] as const)('$role may $action: $allowed', ({ role, action, allowed }) => {
    expect(isAllowed(user(role), action)).toBe(allowed);
  });

  it('lets the operator at the command line do everything', () => {
    for (const action of actions) expect(isAllowed({ kind: 'cli' }, action)).toBe(true);
  });

  it('gives an API key no profile of its own', () => {
    expect(isAllowed({ kind: 'api_key', apiKeyId: 'k', role: 'admin' }, 'me.read')).toBe(false);
    expect(isAllowed({ kind: 'api_key', apiKeyId: 'k', role: 'admin' }, 'users.write')).toBe(true);
  });
});

describe('decideVisibility', () => {
  it.each([
    { role: 'admin', expected: { kind: 'all' } },
    { role: 'marketing', expected: { kind: 'all' } },
    { role: 'director', expected: { kind: 'all' } },
    { role: 'sales_manager', expected: { kind: 'owned_by', userIds: ['u1', 'r1', 'r2'] } },
    { role: 'sales_rep', expected: { kind: 'owned_by', userIds: ['u1'] } },
  ] as const)('a $role sees $expected.kind', ({ role, expected }) => {
    expect(decideVisibility(user(role), ['r1', 'r2'])).toEqual(expected);
  });

  it('never shows a rep a record owned by someone else, whatever their team', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.array(fc.uuid()), (me, owner, managed) => {
        fc.pre(me !== owner);
        const visibility = decideVisibility({ kind: 'user', userId: me, role: 'sales_rep' }, managed);
        expect(canSee(visibility, owner)).toBe(false);
        expect(canSee(visibility, me)).toBe(true);
      }),
    );
  });

  it('shows an API key with a rep role no owned records', () => {
    expect(decideVisibility({ kind: 'api_key', apiKeyId: 'k', role: 'sales_rep' }, [])).toEqual({
      kind: 'owned_by',
      userIds: [],
    });
  });

  it('covers every role', () => {
    for (const role of roles) expect(() => decideVisibility(user(role), [])).not.toThrow();
  });

  it.each([
    { who: 'a manager', visibility: { kind: 'owned_by', userIds: ['m', 'r1'] }, owner: null, may: true },
    { who: 'a manager', visibility: { kind: 'owned_by', userIds: ['m', 'r1'] }, owner: 'r1', may: true },
    { who: 'a manager', visibility: { kind: 'owned_by', userIds: ['m', 'r1'] }, owner: 'x9', may: false },
    { who: "a manager's API key", visibility: { kind: 'owned_by', userIds: [] }, owner: 'r1', may: false },
    { who: "a manager's API key", visibility: { kind: 'owned_by', userIds: [] }, owner: null, may: true },
    { who: 'a director', visibility: { kind: 'all' }, owner: 'x9', may: true },
  ] as const)('lets $who route a lead owned by $owner: $may', ({ visibility, owner, may }) => {
    expect(canRoute(visibility, owner)).toBe(may);
  });
});
