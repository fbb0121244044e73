// Money is integer micro-dollars (bigint) everywhere it is stored or computed; dollars appear only
// at the edges: parsed from operators' input, shown to people, and sent as numbers in JSON.

const MICROS_PER_USD = 1_000_000;

/** USD (an operator's or admin's input, e.g. 12.5) to integer micro-dollars, rounded to the micro-dollar. */
export function usdToMicros(usd: number): bigint {
  return BigInt(Math.round(usd * MICROS_PER_USD));
}

/**
 * A price in USD per million tokens to micro-dollars per million tokens (`ModelPrice` columns are
 * integers well inside a JavaScript number).
 */
export function usdPerMToMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

/** Micro-dollars as a JSON number of dollars (`balance_usd`); null stays null. Exact to the micro-dollar below $9 billion. */
export function microsToUsdNumber(micros: bigint | null): number | null {
  return micros === null ? null : Number(micros) / MICROS_PER_USD;
}

/** Micro-dollars to "$12.50", "$1,250.00" or "$0.000125": two decimals at least, more only when they carry value. */
export function formatUsd(micros: number | bigint): string {
  const value = BigInt(micros);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const dollars = abs / 1_000_000n;
  const fraction = (abs % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "").padEnd(2, "0");
  const grouped = dollars.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}$${grouped}.${fraction}`;
}

const USD_INPUT = /^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/;

/**
 * Dollars as a person types them in a form ("12.5", "$0.40", "1,250", ".25") to integer
 * micro-dollars, read as decimal text so no binary fraction creeps in. Null for anything else,
 * a negative amount or more than six decimals (finer than a micro-dollar).
 */
export function parseUsdToMicros(text: string): bigint | null {
  const match = USD_INPUT.exec(text.trim());
  if (!match) return null;
  const [, whole = "", fraction = ""] = match;
  if (whole === "" && fraction === "") return null;
  if (fraction.length > 6) return null;
  return BigInt(whole.replaceAll(",", "") || "0") * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
}

/** Micro-dollars as plain decimal text, exact: a form's default value or a CSV cell ("12.5", "0.000125", "3", "-1.5"; no grouping, no trailing zeros). */
export function microsToUsdText(micros: number | bigint): string {
  const value = BigInt(micros);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const fraction = (abs % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${abs / 1_000_000n}${fraction ? `.${fraction}` : ""}`;
}
