import { describe, expect, it } from 'vitest';
import { findCandidates, isHeldOut, learnFit, type LearningRow } from './learn-model.ts';
import { holds } from './score-contact.ts';

/** 400 leads: working professionals convert 80%, students 10%, others 40%; visits add a little. */
function leads(): LearningRow[] {
  const rows: LearningRow[] = [];
  for (let i = 0; i < 400; i++) {
    const occupation = ['Working Professional', 'Student', 'Unemployed', 'Other'][i % 4]!;
    const rate = occupation === 'Working Professional' ? 0.8 : occupation === 'Student' ? 0.1 : 0.4;
    const converted = (i * 7919) % 100 < rate * 100;
    rows.push({
      converted,
      facts: {
        email: `p${i}@x.nl`,
        'attributes.Occupation': occupation,
        'attributes.Visits': String(i % 10),
        'attributes.Lead Number': String(100000 + i),
        'attributes.Tags': converted ? 'Closed by Horizzon' : 'Ringing',
      },
    });
  }
  return rows;
}

describe('findCandidates', () => {
  it('offers frequent values and numeric steps, and skips identifiers and excluded fields', () => {
    const ids = findCandidates(leads(), { exclude: ['attributes.Tags'], minSupport: 20 }).map((c) => c.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'occupation-working-professional',
        'occupation-student',
        'visits-2',
        'visits-5',
        'visits-7',
      ]),
    );
    expect(ids.some((id) => id.startsWith('tags'))).toBe(false);
    expect(ids.some((id) => id.startsWith('email'))).toBe(false);
    // A record number is distinct on every row: an identifier, not a trait.
    expect(ids.some((id) => id.startsWith('lead-number'))).toBe(false);
  });
});

describe('learnFit', () => {
  it('turns coefficients into points that rank the converting group first', () => {
    const learned = learnFit(leads(), {
      exclude: ['attributes.Tags', 'attributes.Lead Number'],
      minSupport: 20,
    });
    const points = (id: string) => learned.rules.find((r) => r.id === id)?.points ?? 0;
    expect(points('occupation-working-professional')).toBeGreaterThan(points('occupation-unemployed'));
    expect(points('occupation-unemployed')).toBeGreaterThan(points('occupation-student'));
    // The proposed threshold separates: leads at or above it convert more than those below it.
    const rows = leads();
    const scoreOf = (facts: LearningRow['facts']) =>
      learned.rules.reduce((sum, r) => sum + (r.conditions.every((c) => holds(c, facts)) ? r.points : 0), 0);
    const rate = (subset: LearningRow[]) => subset.filter((r) => r.converted).length / subset.length;
    const above = rows.filter((r) => scoreOf(r.facts) >= learned.threshold);
    const below = rows.filter((r) => scoreOf(r.facts) < learned.threshold);
    expect(above.length).toBeGreaterThan(0);
    expect(below.length).toBeGreaterThan(0);
    expect(rate(above)).toBeGreaterThan(rate(below) + 0.3);
    expect(learned.gradeA).toBeGreaterThanOrEqual(learned.gradeB);
    expect(learned.rules.every((r) => Number.isInteger(r.points) && r.points !== 0)).toBe(true);
  });

  it('learns the leak when it is included by name, which is why leaking fields are left out by default', () => {
    const leaky = learnFit(leads(), { exclude: [], include: ['attributes.Tags'], minSupport: 20 });
    const tag = leaky.rules.find((r) => r.id === 'tags-closed-by-horizzon');
    expect(tag?.points).toBeGreaterThan(50);
  });
});

describe('isHeldOut', () => {
  it('holds out about the share asked for, the same ids every time', () => {
    const ids = Array.from(
      { length: 10_000 },
      (_, i) => `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    );
    const held = ids.filter((id) => isHeldOut(id, 0.3));
    expect(held.length / ids.length).toBeGreaterThan(0.27);
    expect(held.length / ids.length).toBeLessThan(0.33);
    expect(ids.filter((id) => isHeldOut(id, 0.3))).toEqual(held);
  });
});

describe('leaking fields', () => {
  it('leaves out a field that alone predicts the outcome almost perfectly, names it, and keeps it only when included', () => {
    // Tags is filled in by Sales after the fact: it gives the outcome away.
    const learned = learnFit(leads(), { exclude: [], minSupport: 20 });
    expect(learned.leaks).toEqual([{ field: 'attributes.Tags', auc: 1, excluded: true }]);
    const fields = learned.rules.flatMap((r) => r.conditions.map((c) => ('field' in c ? c.field : '')));
    expect(fields).not.toContain('attributes.Tags');
    expect(fields).toContain('attributes.Occupation');
    // Occupation is strong but honest: not a leak.
    expect(learned.leaks.map((l) => l.field)).not.toContain('attributes.Occupation');

    const kept = learnFit(leads(), { exclude: [], include: ['attributes.Tags'], minSupport: 20 });
    expect(kept.leaks).toEqual([{ field: 'attributes.Tags', auc: 1, excluded: false }]);
    expect(
      kept.rules.some((r) => r.conditions.some((c) => 'field' in c && c.field === 'attributes.Tags')),
    ).toBe(true);
  });

  it('names a strong field under the leak bar as a suspect, and learns from it', () => {
    const rows = leads().map((r, i) => ({
      ...r,
      // Right seven times in eight: strong, not perfect.
      facts: { ...r.facts, 'attributes.Quality': (r.converted ? i % 8 !== 0 : i % 8 === 0) ? 'High' : 'Low' },
    }));
    const learned = learnFit(rows, { exclude: ['attributes.Tags'], minSupport: 20 });
    expect(learned.leaks).toEqual([]);
    expect(learned.suspects.map((s) => s.field)).toContain('attributes.Quality');
  });
});
