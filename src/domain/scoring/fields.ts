import { fieldsOf, type ScoringModelDefinition } from './score-contact.ts';

/** The facts a fit rule can test; a form's or an import's own fields are `attributes.<name>`. */
export const scoringFields = [
  'country',
  'title',
  'firstName',
  'lastName',
  'email',
  'emailDomain',
  'phone',
  'source',
  'latestSource',
  'account.name',
  'account.industry',
  'account.employeeCount',
  'account.country',
  'account.domain',
] as const;

const known = new Set<string>(scoringFields);
const isAttribute = (field: string) =>
  field.startsWith('attributes.') && field.trim().length > 'attributes.'.length;

/**
 * What is wrong with a model the schema accepts: a fit rule on a field no contact has (it would
 * never match, silently), or two rules with one id (explanations name rules by id). Null when
 * nothing is.
 *
 * @example checkScoringModel({ ...model, fitRules: [{ id: 'a', label: 'A', points: 5, conditions: [{ op: 'exists', field: 'industry' }] }] })
 * // { field: 'fitRules.0.conditions.0', reason: 'unknown field "industry": …' }
 */
export function checkScoringModel(model: ScoringModelDefinition): { field: string; reason: string } | null {
  for (const [kind, rules] of [
    ['fitRules', model.fitRules],
    ['engagementRules', model.engagementRules],
  ] as const) {
    const seen = new Set<string>();
    for (const [i, rule] of rules.entries()) {
      if (seen.has(rule.id))
        return { field: `${kind}.${i}.id`, reason: `another rule has the id "${rule.id}"` };
      seen.add(rule.id);
    }
  }
  for (const [i, rule] of model.fitRules.entries())
    for (const [j, condition] of rule.conditions.entries())
      for (const field of fieldsOf(condition))
        if (!known.has(field) && !isAttribute(field))
          return {
            field: `fitRules.${i}.conditions.${j}`,
            reason: `unknown field "${field}": use ${scoringFields.join(', ')} or attributes.<name>`,
          };
  return null;
}
