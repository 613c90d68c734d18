import { describe, expect, it } from 'vitest';
import {
  combinations,
  similarMatch,
  trigramQuestion,
  trigramsOf,
  wordSimilarity,
  wordsOf,
} from './similarity.ts';

describe('typo-tolerant matching', () => {
  it('cuts a word into trigrams padded as pg_trgm pads them', () => {
    expect([...trigramsOf('Jan')]).toEqual(['  j', ' ja', 'jan', 'an ']);
    expect(wordsOf('Jan de Vries <jan@bakkerij-jansen.nl>')).toEqual([
      'jan',
      'de',
      'vries',
      'jan',
      'bakkerij',
      'jansen',
      'nl',
    ]);
  });

  it.each([
    ['jansn', 'jansen', 4 / 9],
    ['jansen', 'pietersen', 2 / 15],
    ['jansen', 'jansen', 1],
  ])('gives %s and %s a similarity of %d', (a, b, expected) => {
    expect(wordSimilarity(a, b)).toBeCloseTo(expected, 10);
  });

  it('matches a search with a typo in each word, and not one with a word the text lacks', () => {
    const text = 'jan de vries jan@bakkerij-jansen.nl bakkerij jansen b.v.';
    expect(similarMatch('Bakkery Jansn', text)).toBeGreaterThan(0.4);
    expect(similarMatch('jansen', text)).toBe(1);
    expect(similarMatch('bakkerij pietersen', text)).toBeNull();
    expect(similarMatch('', text)).toBeNull();
  });

  it('asks an index for enough trigrams of each word that a word with one typo still has them', () => {
    expect(trigramQuestion('Jansn nl')).toEqual([{ trigrams: ['jan', 'ans', 'nsn'], required: 2 }]);
    expect(trigramQuestion('bakkery')).toEqual([
      { trigrams: ['bak', 'akk', 'kke', 'ker', 'ery'], required: 3 },
    ]);
    expect(trigramQuestion('installatietechniek')[0]).toEqual({
      trigrams: ['ins', 'nst', 'sta', 'tal', 'all', 'lla'],
      required: 3,
    });
    expect(combinations(['a', 'b', 'c'], 2)).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ]);
  });
});
