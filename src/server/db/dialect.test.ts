import { describe, expect, it } from 'vitest';
import { retryingConflicts } from './dialect.ts';

describe('retryingConflicts', () => {
  const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });

  it('runs the work again after a deadlock, and returns what it returns', async () => {
    let calls = 0;
    const result = await retryingConflicts(async () => {
      calls++;
      if (calls < 3) throw deadlock;
      return 'stored';
    });
    expect([result, calls]).toEqual(['stored', 3]);
  });

  it('gives up after the tries, and throws any other error at once', async () => {
    let calls = 0;
    await expect(
      retryingConflicts(async () => {
        calls++;
        throw deadlock;
      }, 2),
    ).rejects.toBe(deadlock);
    expect(calls).toBe(2);
    calls = 0;
    const other = Object.assign(new Error('unique'), { code: '23505' });
    await expect(
      retryingConflicts(async () => {
        calls++;
        throw other;
      }),
    ).rejects.toBe(other);
    expect(calls).toBe(1);
  });
});
