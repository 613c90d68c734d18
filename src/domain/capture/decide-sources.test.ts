import { describe, expect, it } from 'vitest';
import { decideSourceUpdate } from './decide-sources.ts';

const t = (iso: string) => new Date(iso);

describe('decideSourceUpdate', () => {
  it.each([
    {
      name: 'the first marketing touch is both sources',
      state: { originalAt: null, latestAt: null },
      touch: { at: t('2026-03-01T10:00:00Z'), category: 'marketing' as const },
      expected: { original: true, latest: true },
    },
    {
      name: 'a later touch only moves the latest source',
      state: { originalAt: t('2026-03-01T10:00:00Z'), latestAt: t('2026-03-01T10:00:00Z') },
      touch: { at: t('2026-03-05T10:00:00Z'), category: 'marketing' as const },
      expected: { original: false, latest: true },
    },
    {
      name: 'an older touch imported later becomes the original source',
      state: { originalAt: t('2026-03-01T10:00:00Z'), latestAt: t('2026-03-05T10:00:00Z') },
      touch: { at: t('2026-02-01T10:00:00Z'), category: 'marketing' as const },
      expected: { original: true, latest: false },
    },
    {
      name: 'a sales activity is no source',
      state: { originalAt: null, latestAt: null },
      touch: { at: t('2026-03-01T10:00:00Z'), category: 'sales' as const },
      expected: { original: false, latest: false },
    },
  ])('$name', ({ state, touch, expected }) => {
    expect(decideSourceUpdate(state, touch)).toEqual(expected);
  });
});
