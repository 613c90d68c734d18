import { fieldsOf, gradeOf, holds, type Facts, type ScoringModelDefinition } from './score-contact.ts';

const accountOnly = (field: string | undefined) => field !== undefined && field.startsWith('account.');

/**
 * An account's score: its own fit (the model's fit rules whose conditions are all about the account)
 * and its contacts' engagement summed up to the model's cap, so one very busy contact or a crowd of
 * students does not make an account hot on its own.
 *
 * @example scoreAccount(model, { 'account.employeeCount': 120 }, [30, 45.5, 0]) // { fit: 20, engagement: 75.5, … }
 */
export function scoreAccount(
  model: ScoringModelDefinition,
  accountFacts: Facts,
  contactEngagements: readonly number[],
): { fit: number; engagement: number; grade: string } {
  let fit = 0;
  for (const rule of model.fitRules) {
    const aboutAccount = rule.conditions.every((c) => fieldsOf(c).every(accountOnly));
    if (aboutAccount && rule.conditions.every((c) => holds(c, accountFacts))) fit += rule.points;
  }
  const total = contactEngagements.reduce((sum, e) => sum + Math.max(0, e), 0);
  const engagement = Math.round(Math.min(model.accountEngagementCap, total) * 100) / 100;
  return { fit, engagement, grade: gradeOf(fit, engagement, model.grades) };
}
