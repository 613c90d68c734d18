import { describe, expect, it } from 'vitest';
import { isoText, retryingConflicts } from './dialect.ts';

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

describe('isoText', () => {
  it('keeps the ISO text SQLite returns, formats the Date PostgreSQL returns, and normalises any other text', () => {
    const text = '2026-12-01T12:00:00.000Z';
    expect(isoText(text)).toBe(text);
    expect(isoText(new Date(text))).toBe(text);
    // Text not in toDbTime's form (an offset, no milliseconds) comes back in it, the same instant.
    expect(isoText('2026-12-01T13:00:00+01:00')).toBe(text);
    expect(isoText('2026-12-01T12:00:00Z')).toBe(text);
  });
});
