import { describe, expect, it } from 'vitest';
import { loadTestSettings } from './config.ts';

describe('the test suite’s settings', () => {
  it('takes a tablespace for the test databases by its plain name, and none when unset', () => {
    expect(loadTestSettings({ BATON_TEST_DATABASE_TABLESPACE: 'baton_ci_ram' }).postgresTablespace).toBe(
      'baton_ci_ram',
    );
    expect(loadTestSettings({}).postgresTablespace).toBeUndefined();
    expect(loadTestSettings({ BATON_TEST_DATABASE_TABLESPACE: '' }).postgresTablespace).toBeUndefined();
  });

  it('refuses a tablespace name SQL would have to quote, naming the variable', () => {
    for (const name of ['Fast', 'ram disk', 'x; drop database baton', '1st'])
      expect(() => loadTestSettings({ BATON_TEST_DATABASE_TABLESPACE: name }), name).toThrow(
        /BATON_TEST_DATABASE_TABLESPACE must be a tablespace's name/,
      );
  });
});
