import type { FieldMapping } from './hubspot.ts';

/*
 * What a connection's field mapping means, field by field. The side that is a field's system of
 * record wins: its value overwrites the other's. The other side only fills blanks: a value read
 * from the CRM fills a blank in Baton, a value of Baton's goes with a person Baton makes in the
 * CRM. A blank never clears a value. The owner and the stage are Baton's decisions: they only go out.
 */

export type PersonField = 'firstName' | 'lastName' | 'title' | 'phone' | 'company';

/** How a value read from the CRM is applied in Baton, or null when the field is not read. */
export function inRule(m: FieldMapping): 'overwrite' | 'fill' | null {
  if (m.direction === 'out' || m.field === 'owner' || m.field === 'stage') return null;
  // A company is an account: which one a person is with comes from the CRM's companies.
  return m.systemOfRecord === 'crm' && m.field !== 'company' ? 'overwrite' : 'fill';
}

/**
 * How Baton's value of a person field goes to the CRM: on every change (Baton wins), only with a
 * person Baton makes there (the CRM wins), or not at all.
 */
export function outRule(m: FieldMapping): 'always' | 'create' | null {
  if (m.direction === 'in' || m.field === 'owner' || m.field === 'stage') return null;
  return m.systemOfRecord === 'baton' ? 'always' : 'create';
}

/**
 * What is wrong with a mapping, field by field (the path of the body's field and the reason).
 *
 * @example mappingProblems([{ field: 'owner', property: 'x', direction: 'in', systemOfRecord: 'crm' }])
 *   // [{ index: 0, field: 'direction', reason: "the owner is Baton's decision: it only goes out" }, …]
 */
export function mappingProblems(
  mapping: readonly FieldMapping[],
): { index: number; field: 'field' | 'property' | 'direction' | 'systemOfRecord'; reason: string }[] {
  const problems: ReturnType<typeof mappingProblems> = [];
  const seen = new Set<string>();
  const properties = new Set<string>();
  mapping.forEach((m, index) => {
    if (seen.has(m.field)) problems.push({ index, field: 'field', reason: `${m.field} is mapped twice` });
    seen.add(m.field);
    if (properties.has(m.property))
      problems.push({ index, field: 'property', reason: `${m.property} is mapped to two fields` });
    properties.add(m.property);
    if (m.field === 'owner' || m.field === 'stage') {
      const what = m.field === 'owner' ? 'the owner' : 'the stage';
      if (m.direction !== 'out')
        problems.push({ index, field: 'direction', reason: `${what} is Baton's decision: it only goes out` });
      if (m.systemOfRecord !== 'baton')
        problems.push({ index, field: 'systemOfRecord', reason: `${what} is Baton's decision: Baton wins` });
    }
  });
  return problems;
}
