import type { ErrorCode } from "./error-codes";
import type { AnthropicErrorType } from "./error-table";
import type { GatewayError } from "./gateway-error";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string; code: ErrorCode };
  request_id?: string;
}

// Anthropic's own bodies carry only `type` and `message`; `code` is an addition its SDKs ignore and
// our clients can rely on. `request_id` mirrors the field Anthropic puts beside `error`.
export function renderAnthropicError(err: GatewayError, requestId?: string): AnthropicErrorBody {
  const body: AnthropicErrorBody = {
    type: "error",
    error: { type: err.spec.anthropicType, message: err.message, code: err.code },
  };
  if (requestId !== undefined) body.request_id = requestId;
  return body;
}
