import { stringify } from 'csv-stringify/sync';

/** The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection). */
const formulaStart = /^[=+\-@\t\r]/;

/**
 * A text cell as it may be written to a CSV file: one that starts like a formula gets a leading
 * apostrophe, so Excel, LibreOffice and Google Sheets show the text instead of running it. Numbers
 * are numbers and are left alone.
 *
 * @example neutraliseCell('=HYPERLINK("http://evil.example","Bonus")') // '\'=HYPERLINK(...)'
 */
export function neutraliseCell(value: string): string {
  return formulaStart.test(value) ? `'${value}` : value;
}

/**
 * Every CSV file Baton writes goes through here (a lint rule keeps csv-stringify out of the rest of
 * the code): text cells are neutralised and quoted, so a name a user typed never becomes a live
 * formula in the director's spreadsheet.
 */
export function writeCsv(
  rows: readonly (readonly (string | number)[])[],
  columns: readonly string[],
): string {
  return stringify(
    rows.map((row) => row.map((cell) => (typeof cell === 'string' ? neutraliseCell(cell) : cell))),
    {
      header: true,
      columns: columns.map(neutraliseCell),
      quoted_string: true,
    },
  );
}
