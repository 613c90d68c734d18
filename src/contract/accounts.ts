import { Type, type Static } from 'typebox';
import { CountryCode, Id, Instant, Nullable, PageQuery, StrictObject } from './common.ts';

const Domain = Type.String({
  pattern: '^(?=.{1,253}$)([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$',
  description: 'Internet domain, e.g. example.nl',
});

export const Account = Type.Object({
  id: Id,
  name: Type.String(),
  domains: Type.Array(Type.String()),
  employeeCount: Nullable(Type.Integer()),
  industry: Nullable(Type.String()),
  country: Nullable(CountryCode),
  ownerId: Nullable(Id),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Account = Static<typeof Account>;

const accountFields = {
  domains: Type.Optional(Type.Array(Domain, { maxItems: 50, uniqueItems: true })),
  employeeCount: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 10_000_000 }))),
  industry: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  country: Type.Optional(Nullable(CountryCode)),
  ownerId: Type.Optional(Nullable(Id)),
};

const Name = Type.String({ minLength: 1, maxLength: 300 });

export const CreateAccountBody = StrictObject({ name: Name, ...accountFields });
export type CreateAccountBody = Static<typeof CreateAccountBody>;

export const UpdateAccountBody = StrictObject({ name: Type.Optional(Name), ...accountFields });
export type UpdateAccountBody = Static<typeof UpdateAccountBody>;

export const ListAccountsQuery = StrictObject({
  ...PageQuery,
  domain: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
  ownerId: Type.Optional(Id),
  industry: Type.Optional(Type.String({ maxLength: 200 })),
  country: Type.Optional(CountryCode),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Search in name and domains' })),
});
export type ListAccountsQuery = Static<typeof ListAccountsQuery>;

export const accountLikenesses = ['same_name', 'name_is_domain', 'similar_name'] as const;

export const AccountDuplicate = Type.Object({
  account: Account,
  because: Type.Enum(accountLikenesses, {
    description:
      'same_name: the same name without legal form; name_is_domain: the one name is the other’s domain; similar_name: alike but for typos',
  }),
});
export type AccountDuplicate = Static<typeof AccountDuplicate>;

export const MergeAccountBody = StrictObject({
  duplicateId: Type.String({
    format: 'uuid',
    description:
      'The account to merge into this one: its domains, people and deals move over, and it is removed',
  }),
});
export type MergeAccountBody = Static<typeof MergeAccountBody>;
