import { z } from "zod";
import { parseUsdToMicros } from "@/lib/billing/money";
import { safeText } from "@/lib/text/safe-text";

// zod pieces for the fields of an HTML form as an action receives them: every value is a string
// (an empty one for a blank field), a checkbox is present ("on") or absent, and a repeated name is
// an array. Each takes the message a person should read when the value is wrong.

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** Required text, trimmed. */
export function formText(message: string, max = 200) {
  return z.preprocess(blankToUndefined, z.string({ error: message }).pipe(safeText({ trim: true }).max(max, { error: `Use at most ${max} characters.` })));
}

/** Optional text, trimmed; blank is undefined. */
export function formOptionalText(max = 500, multiline = false) {
  return z.preprocess(
    blankToUndefined,
    safeText({ trim: true, multiline })
      .max(max, { error: `Use at most ${max} characters.` })
      .optional(),
  );
}

/** A whole number within [min, max]. */
export function formInt(message: string, min: number, max: number) {
  return z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `${message}.` })
      .int({ error: `${message}.` })
      .min(min, { error: `${message} (at least ${min.toLocaleString("en-US")}).` })
      .max(max, { error: `${message} (at most ${max.toLocaleString("en-US")}).` }),
  );
}

/** An optional whole number within [min, max]; blank is undefined. */
export function formOptionalInt(message: string, min: number, max: number) {
  return z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `${message}.` })
      .int({ error: `${message}.` })
      .min(min, { error: `${message} (at least ${min.toLocaleString("en-US")}).` })
      .max(max, { error: `${message} (at most ${max.toLocaleString("en-US")}).` })
      .optional(),
  );
}

/** A decimal number within (0, max], e.g. a multiplier. */
export function formDecimal(message: string, max: number) {
  return z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `${message}.` })
      .positive({ error: `${message}.` })
      .max(max, { error: `${message} (at most ${max}).` }),
  );
}

/** Dollars ("12.50", "$0.4") as integer micro-dollars, at most `maxUsd`. */
export function formUsd(message: string, maxUsd: number) {
  return z.string({ error: `${message}.` }).transform((text, ctx) => {
    const micros = parseUsdToMicros(text);
    if (micros === null) {
      ctx.addIssue({ code: "custom", message: `${message}.` });
      return z.NEVER;
    }
    if (micros > BigInt(maxUsd) * 1_000_000n) {
      ctx.addIssue({ code: "custom", message: `${message} (at most $${maxUsd.toLocaleString("en-US")}).` });
      return z.NEVER;
    }
    return micros;
  });
}

/** Optional dollars; blank is undefined. */
export function formOptionalUsd(message: string, maxUsd: number) {
  return z.preprocess(blankToUndefined, formUsd(message, maxUsd).optional());
}

/** A checkbox: checked sends "on" (or "true"); unchecked sends nothing. */
export const formCheckbox = z.preprocess((value) => value === "on" || value === "true" || value === true, z.boolean());

/** Values of checkboxes sharing a name, or of a textarea with one value per line or comma: a list without blanks or repeats. */
export function formList(itemMessage: string, max = 200) {
  return z.preprocess(
    (value) => {
      const values = value === undefined ? [] : [value].flat();
      const items = values.flatMap((v) => (typeof v === "string" ? v.split(/[\n,]/) : [v])).map((v) => (typeof v === "string" ? v.trim() : v));
      return [...new Set(items.filter((v) => v !== ""))];
    },
    z.array(safeText().max(max, { error: itemMessage }), { error: itemMessage }),
  );
}
