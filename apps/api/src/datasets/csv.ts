// CSV parsing for Kaggle's captions.txt through csv-parse, set up to return what Python's csv.reader does
// (training/ reads the same file): quoted fields with doubled quotes, quotes inside unquoted fields kept,
// rows of any length, CRLF or LF line ends, and an empty line as an empty row.
import { parse } from 'csv-parse/sync';

export function parseCsv(text: string): string[][] {
  const rows = parse(text, {
    relax_column_count: true,
    relax_quotes: true,
    record_delimiter: ['\r\n', '\n', '\r'],
  }) as string[][];
  return rows.map((row) => (row.length === 1 && row[0] === '' ? [] : row));
}
