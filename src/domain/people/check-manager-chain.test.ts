import { describe, expect, it } from 'vitest';
import { checkManagerChain } from './check-manager-chain.ts';

const manager = (role: 'sales_manager' | 'director' | 'sales_rep' | 'marketing', over = {}) => ({
  id: 'm1',
  role,
  isActive: true,
  chainAbove: ['d1'],
  ...over,
});

describe('checkManagerChain', () => {
  it.each([
    { role: 'sales_rep', mgr: manager('sales_manager'), expected: 'ok' },
    { role: 'sales_rep', mgr: manager('director'), expected: 'manager_role' },
    { role: 'sales_manager', mgr: manager('director'), expected: 'ok' },
    { role: 'sales_manager', mgr: manager('sales_rep'), expected: 'manager_role' },
    { role: 'marketing', mgr: manager('marketing'), expected: 'ok' },
    { role: 'sales_rep', mgr: manager('sales_manager', { isActive: false }), expected: 'manager_inactive' },
    { role: 'sales_manager', mgr: manager('director', { chainAbove: ['x', 'u1'] }), expected: 'cycle' },
    { role: 'director', mgr: manager('director', { id: 'u1' }), expected: 'self' },
  ] as const)('a $role under a $mgr.role: $expected', ({ role, mgr, expected }) => {
    const result = checkManagerChain('u1', role, mgr);
    expect(result.kind === 'ok' ? 'ok' : result.reason).toBe(expected);
  });
});
