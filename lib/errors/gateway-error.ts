import { buildErrorMessage } from "./build-error-message";
import type { ErrorCode } from "./error-codes";
import type { ErrorDetails, GatewayErrorOptions } from "./error-details";
import { ERROR_TABLE, type ErrorSpec } from "./error-table";

/**
 * A refusal the gateway answers on purpose. The message is built from the code and its details,
 * so what a client reads always matches the Errors table and never carries request secrets.
 */
export class GatewayError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly status: number;
  readonly details: ErrorDetails<C>;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: C, options: GatewayErrorOptions<C> = {} as GatewayErrorOptions<C>) {
    const { param, retryAfterSeconds, headers, cause, ...details } = options;
    // No stack trace: a refusal is an answer, not a fault, and capturing the stack was most of
    // its cost (about 6 µs of the 429 a flood of made-up keys gets). An unexpected fault keeps
    // its own stack as the `cause` of the internal_error it becomes.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(buildErrorMessage(code, options), cause === undefined ? undefined : { cause });
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.name = "GatewayError";
    this.code = code;
    this.status = ERROR_TABLE[code].status;
    this.details = details as ErrorDetails<C>;
    this.param = param ?? null;
    this.retryAfterSeconds = retryAfterSeconds;
    this.headers = { ...headers };
  }

  get spec(): ErrorSpec {
    return ERROR_TABLE[this.code];
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

/**
 * Any thrown value as a GatewayError. Unexpected faults become `internal_error` with the original
 * kept only as `cause` for the log, so internal messages never reach a client.
 */
export function toGatewayError(value: unknown): GatewayError {
  return isGatewayError(value) ? value : new GatewayError("internal_error", { cause: value });
}
