import { z } from "zod";
import { safeText } from "@/lib/text/safe-text";
import { TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATUSES } from "./ticket-labels";

// The fields of ticket forms, for server actions and the lib functions they call. Bodies are plain
// text (rendered as text, never HTML), bounded so a thread stays readable and storable.

export const SUBJECT_MAX = 150;
export const BODY_MAX = 10_000;
/** Request ids one ticket may name. */
export const REQUEST_IDS_MAX = 10;

export const ticketSubjectSchema = safeText({ trim: true })
  .min(3, { error: "Write a subject of at least 3 characters." })
  .max(SUBJECT_MAX, { error: `Keep the subject to ${SUBJECT_MAX} characters.` });

export const ticketBodySchema = safeText({ trim: true, multiline: true })
  .min(1, { error: "Write a message." })
  .max(BODY_MAX, {
    error: (issue) =>
      `Keep the message to ${BODY_MAX.toLocaleString("en-US")} characters (this one has ${String(issue.input).length.toLocaleString("en-US")}).`,
  });

export const ticketCategorySchema = z.enum(TICKET_CATEGORIES, { error: "Choose what the ticket is about." });
export const ticketStatusSchema = z.enum(TICKET_STATUSES, { error: "Choose a status." });
export const ticketPrioritySchema = z.enum(TICKET_PRIORITIES, { error: "Choose a priority." });

const REQUEST_ID = /^req_[A-Za-z0-9_]{8,64}$/;

/**
 * Request ids as a buyer pastes them: separated by spaces, commas or lines, quotes and surrounding
 * text trimmed; each must look like `req_` + 24 hex characters. Duplicates count once.
 */
export const requestIdsSchema = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value, ctx) => {
    const text = Array.isArray(value) ? value.join(" ") : (value ?? "");
    const ids = [
      ...new Set(
        text
          .split(/[\s,;]+/)
          .map((part) => part.replace(/^["'`]+|["'`]+$/g, ""))
          .filter(Boolean),
      ),
    ];
    const bad = ids.find((id) => !REQUEST_ID.test(id));
    if (bad !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `"${bad.slice(0, 40)}" is not a request id: they start with req_ (the x-request-id header of a response).`,
      });
      return z.NEVER;
    }
    if (ids.length > REQUEST_IDS_MAX) {
      ctx.addIssue({ code: "custom", message: `Name at most ${REQUEST_IDS_MAX} request ids.` });
      return z.NEVER;
    }
    return ids;
  });

/** An id from a form's hidden field or select (cuid-like); "" means none. */
export const optionalIdSchema = z
  .string()
  .trim()
  .max(100)
  .optional()
  .transform((v) => (v ? v : null));
