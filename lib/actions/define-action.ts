import "server-only";
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import type { SessionUser } from "@/lib/auth/session-user";
import { clientIpFromHeaders } from "@/lib/server/client-ip";
import { logger } from "@/lib/server/logger";
import type { ActionFailure, FieldErrors } from "./action-state";

const log = logger.child({ component: "server-action" });

const INVALID_MESSAGE = "Some of the details are not valid. Correct them and try again.";
const UNEXPECTED_MESSAGE = "Something went wrong on our side. Please try again; if it keeps happening, contact support.";

/** What every handler receives: the verified caller, the client IP for the audit log, the parsed input. */
export type ActionContext<Caller, Input> = Caller & { user: SessionUser; clientIp: string | null; input: Input };

export interface ActionOptions<Input, State> {
  /** The form-level message when the input does not validate; the field messages come from the schema. */
  invalidMessage?: string;
  /** Another answer to invalid input, for a caller that expects its own status rather than a failure. */
  onInvalid?: (failure: ActionFailure) => State;
  /**
   * The message the user sees for a known domain error (e.g. "no such user"), or undefined. Any
   * other error is logged and answered with a generic message: its text may name internals.
   */
  describeError?: (error: unknown, input: Input) => string | undefined;
}

/**
 * A wrapped action. Forms call it as React does (`previous state, FormData`); client code may
 * call it with the input object itself. Either way the input is untrusted and parsed the same.
 */
export type ServerAction<Input, State> = (...args: [input: Input] | [previous: State, formData: FormData]) => Promise<State>;

/**
 * Builds a server action: `authorize` proves who is calling (redirecting or 404-ing anyone else),
 * then the input is parsed with `schema`, then `handler` runs. Reachable by a crafted POST, so no
 * step may be skipped: the role check comes before the input is even looked at, and the handler
 * still checks ownership of every record it touches.
 */
export function defineAction<Caller extends { user: SessionUser }, Schema extends z.ZodType, State>(
  authorize: () => Promise<Caller>,
  schema: Schema,
  handler: (context: ActionContext<Caller, z.output<Schema>>) => Promise<State>,
  options: ActionOptions<z.output<Schema>, State> = {},
): ServerAction<z.input<Schema>, State | ActionFailure> {
  return async (...args) => {
    const caller = await authorize();
    const raw = args.length === 2 ? (args[1] instanceof FormData ? formDataToObject(args[1]) : undefined) : args[0];
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const failure: ActionFailure = { status: "error", message: options.invalidMessage ?? INVALID_MESSAGE, fieldErrors: fieldErrorsOf(parsed.error) };
      return options.onInvalid ? options.onInvalid(failure) : failure;
    }
    const input = parsed.data;
    const clientIp = clientIpFromHeaders(await headers());
    try {
      return await handler({ ...caller, clientIp, input });
    } catch (error) {
      // redirect() and notFound() are thrown too; they must reach Next untouched.
      unstable_rethrow(error);
      const message = options.describeError?.(error, input);
      if (message !== undefined) return { status: "error", message };
      log.error({ err: error, userId: caller.user.id }, "server action failed");
      return { status: "error", message: UNEXPECTED_MESSAGE };
    }
  };
}

/** FormData as a plain object for zod: a repeated name becomes an array, Next's own `$ACTION` fields are left out. */
function formDataToObject(formData: FormData): Record<string, FormDataEntryValue | FormDataEntryValue[]> {
  const object: Record<string, FormDataEntryValue | FormDataEntryValue[]> = {};
  for (const name of new Set(formData.keys())) {
    if (name.startsWith("$ACTION")) continue;
    const values = formData.getAll(name);
    object[name] = values.length === 1 ? values[0]! : values;
  }
  return object;
}

function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join(".");
    if (field !== "") (fieldErrors[field] ??= []).push(issue.message);
  }
  return fieldErrors;
}
