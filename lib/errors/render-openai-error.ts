import type { ErrorCode } from "./error-codes";
import type { OpenAIErrorType } from "./error-table";
import type { GatewayError } from "./gateway-error";

export interface OpenAIErrorBody {
  error: { message: string; type: OpenAIErrorType; param: string | null; code: ErrorCode };
}

// OpenAI's SDKs read `error.code` as the machine-readable reason, so our stable code goes there.
export function renderOpenAIError(err: GatewayError): OpenAIErrorBody {
  return {
    error: { message: err.message, type: err.spec.openaiType, param: err.param, code: err.code },
  };
}
