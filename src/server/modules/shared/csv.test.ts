import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { neutraliseCell, writeCsv } from './csv.ts';

describe('the CSV files Baton writes', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","Bonus")', `'=HYPERLINK("http://evil.example","Bonus")`],
    ['+31 6 1234', `'+31 6 1234`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\t=1', `'\t=1`],
    ['\r=1', `'\r=1`],
    ['Emma', 'Emma'],
    ['', ''],
    ['a=b', 'a=b'],
  ])('write %j as %j', (value, written) => {
    expect(neutraliseCell(value)).toBe(written);
  });

  it('neutralise every text cell and leave numbers as they are', () => {
    const csv = writeCsv(
      [
        ['=cmd|"/c calc"!A1', -5, 'ok'],
        ['Jan', 12, '@me'],
      ],
      ['name', 'amount', 'note'],
    );
    expect(parse(csv, { columns: true })).toEqual([
      { name: `'=cmd|"/c calc"!A1`, amount: '-5', note: 'ok' },
      { name: 'Jan', amount: '12', note: `'@me` },
    ]);
    // Text is quoted, so a spreadsheet keeps it one cell whatever it holds.
    expect(csv.split('\n')[1]).toBe(`"'=cmd|""/c calc""!A1",-5,"ok"`);
  });
});
