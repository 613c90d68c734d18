/** The facts a routing rule can test; a form's or an import's own fields are `attributes.<name>`. */
export const routingFields = [
  'country',
  'title',
  'email',
  'emailDomain',
  'source',
  'latestSource',
  'grade',
  'account.name',
  'account.industry',
  'account.employeeCount',
  'account.country',
  'account.domain',
] as const;
