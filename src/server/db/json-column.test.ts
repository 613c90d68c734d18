import { describe, expect, it } from 'vitest';
import { WorkingHours } from '../../contract/users.ts';
import { StoredAttributes } from '../../contract/contacts.ts';
import { readJson, StoredJsonError } from './json-column.ts';

describe('a JSON column read back', () => {
  it('comes back parsed (PostgreSQL hands over objects, SQLite text) when it matches its schema', () => {
    const hours = { mon: [['09:00', '17:00']] };
    expect(readJson(WorkingHours, JSON.stringify(hours), 'users.working_hours')).toEqual(hours);
    expect(readJson(WorkingHours, hours, 'users.working_hours')).toEqual(hours);
    expect(readJson(StoredAttributes, null, 'contacts.attributes')).toBeNull();
  });

  it('is refused, naming the column and the place, when the stored value does not match', () => {
    const read = () => readJson(WorkingHours, '{"mon":"nine to five"}', 'users.working_hours');
    expect(read).toThrow(StoredJsonError);
    expect(read).toThrow(/^users\.working_hours holds a value that does not match its schema: \/mon /);
    expect(() => readJson(StoredAttributes, '{"size":12}', 'contacts.attributes')).toThrow(
      /contacts\.attributes .*\/size/,
    );
  });
});
