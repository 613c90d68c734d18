import { describe, expect, it } from 'vitest';
import { decideRoute, type RouteSituation, type RoutingRule } from './decide-route.ts';

const rules: RoutingRule[] = [
  {
    id: 'enterprise-nl',
    label: 'Large Dutch companies',
    conditions: [
      { op: 'equals', field: 'country', value: 'NL' },
      { op: 'range', field: 'account.employeeCount', min: 250 },
    ],
    target: { kind: 'user', userId: 'enterprise-rep' },
  },
  {
    id: 'benelux',
    label: 'Benelux',
    conditions: [{ op: 'in', field: 'country', values: ['NL', 'BE', 'LU'] }],
    target: { kind: 'pool', poolId: 'benelux' },
  },
  {
    id: 'a-grade',
    label: 'A-grade leads anywhere',
    conditions: [{ op: 'contains', field: 'grade', value: 'A' }],
    target: { kind: 'pool', poolId: 'senior' },
  },
];

const base: RouteSituation = {
  accountOwner: null,
  ownershipFirst: true,
  rules,
  fallbackPoolId: 'inside-sales',
  facts: {},
};

describe('decideRoute', () => {
  it.each<{ name: string; patch: Partial<RouteSituation>; expected: ReturnType<typeof decideRoute> }>([
    {
      name: 'an available account owner keeps the account',
      patch: { accountOwner: { userId: 'owner', isAvailable: true }, facts: { country: 'NL' } },
      expected: { kind: 'owner', userId: 'owner' },
    },
    {
      name: 'an absent owner does not: the rules decide',
      patch: { accountOwner: { userId: 'owner', isAvailable: false }, facts: { country: 'BE' } },
      expected: { kind: 'rule', ruleId: 'benelux', target: { kind: 'pool', poolId: 'benelux' } },
    },
    {
      name: 'with ownership first switched off the rules decide',
      patch: {
        ownershipFirst: false,
        accountOwner: { userId: 'owner', isAvailable: true },
        facts: { country: 'BE' },
      },
      expected: { kind: 'rule', ruleId: 'benelux', target: { kind: 'pool', poolId: 'benelux' } },
    },
    {
      name: 'the first matching rule wins',
      patch: { facts: { country: 'NL', 'account.employeeCount': 500, grade: 'A1' } },
      expected: { kind: 'rule', ruleId: 'enterprise-nl', target: { kind: 'user', userId: 'enterprise-rep' } },
    },
    {
      name: 'a later rule when the earlier ones do not match',
      patch: { facts: { country: 'DE', grade: 'A2' } },
      expected: { kind: 'rule', ruleId: 'a-grade', target: { kind: 'pool', poolId: 'senior' } },
    },
    {
      name: 'no rule matches: the fallback pool',
      patch: { facts: { country: 'DE' } },
      expected: { kind: 'fallback', poolId: 'inside-sales' },
    },
    {
      name: 'no rule and no fallback: the unassigned queue',
      patch: { fallbackPoolId: null, facts: { country: 'DE' } },
      expected: { kind: 'unassigned', reason: 'no_matching_rule' },
    },
  ])('$name', ({ patch, expected }) => {
    expect(decideRoute({ ...base, ...patch })).toEqual(expected);
  });
});
