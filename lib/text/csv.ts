// CSV for spreadsheets and other systems (RFC 4180). A cell a spreadsheet would read as a formula
// (starting with = + - @, or a tab or carriage return that some programs skip before one) is
// prefixed with an apostrophe, so a value someone else chose (a model name, a subject, a reason)
// cannot run when the file is opened. Numbers are written as numbers.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export type CsvValue = string | number | bigint | boolean | null | undefined;

/** One CSV cell: formula-guarded, quoted when it holds a quote, comma, line break or surrounding space. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line, CRLF-terminated as RFC 4180 has it. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
