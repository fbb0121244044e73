// CSV for spreadsheets (RFC 4180): every field quoted when it needs to be, and a field that a
// spreadsheet would run as a formula (=, +, -, @, tab, carriage return at the start) prefixed with
// an apostrophe, so an exported value someone else chose (a model name, a note) cannot execute.

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string | number | bigint | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV line, with its CRLF. */
export function csvRow(values: readonly (string | number | bigint | boolean | null | undefined)[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
