import { describe, expect, it } from 'vitest';
import { defaultScoringModel } from './default-model.ts';
import { checkScoringModel } from './fields.ts';

describe('checking a scoring model', () => {
  it('takes the default model', () => {
    expect(checkScoringModel(defaultScoringModel)).toBeNull();
  });

  it('names a fit rule on a field no contact has, inside an any-of group too', () => {
    const model = {
      ...defaultScoringModel,
      fitRules: [
        ...defaultScoringModel.fitRules,
        {
          id: 'sector',
          label: 'Sector',
          points: 5,
          conditions: [
            { op: 'any' as const, conditions: [{ op: 'exists' as const, field: 'attributes. ' }] },
          ],
        },
      ],
    };
    expect(checkScoringModel(model)).toEqual({
      field: `fitRules.${defaultScoringModel.fitRules.length}.conditions.0`,
      reason: expect.stringContaining('unknown field "attributes. "'),
    });
  });

  it('names the second of two engagement rules with one id', () => {
    const [first] = defaultScoringModel.engagementRules;
    const model = { ...defaultScoringModel, engagementRules: [first!, { ...first!, label: 'Again' }] };
    expect(checkScoringModel(model)).toEqual({
      field: 'engagementRules.1.id',
      reason: `another rule has the id "${first!.id}"`,
    });
  });
});
