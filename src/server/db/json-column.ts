import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { fromDbJson } from './dialect.ts';

type Validator = ReturnType<typeof Compile<TSchema>>;
const validators = new WeakMap<TSchema, Validator>();

function validatorOf(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) validators.set(schema, (validator = Compile(schema)));
  return validator;
}

/** A JSON column whose stored value does not match its schema: a bug or a hand-edited row, never user input. */
export class StoredJsonError extends Error {
  constructor(
    readonly column: string,
    readonly problem: string,
  ) {
    super(`${column} holds a value that does not match its schema: ${problem}`);
    this.name = 'StoredJsonError';
  }
}

/**
 * A JSON column read back and checked against the TypeBox schema it was written under, so that
 * what comes out of the store has the type the code says it has. `column` names it in the error
 * (`table.column`). A null column is null.
 *
 * @example readJson(WorkingHours, row.working_hours, 'users.working_hours')
 */
export function readJson<T extends TSchema>(schema: T, value: unknown, column: string): Static<T> {
  const parsed = fromDbJson(value);
  const validator = validatorOf(schema);
  if (!validator.Check(parsed)) {
    // The deepest problem names the place; a union's other branches ("must be null") say less.
    const [first] = [...validator.Errors(parsed)].sort(
      (a, b) => b.instancePath.length - a.instancePath.length,
    );
    throw new StoredJsonError(column, first ? `${first.instancePath || '/'} ${first.message}` : 'invalid');
  }
  return parsed as Static<T>;
}
