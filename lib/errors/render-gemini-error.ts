import type { GeminiStatus } from "./error-table";
import type { GatewayError } from "./gateway-error";

const ERROR_DOMAIN = "gatehouse";

export type GeminiErrorDetail =
  | {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo";
      reason: string;
      domain: string;
      metadata: { code: string };
    }
  | { "@type": "type.googleapis.com/google.rpc.RetryInfo"; retryDelay: string }
  | {
      "@type": "type.googleapis.com/google.rpc.BadRequest";
      fieldViolations: { field: string; description: string }[];
    };

export interface GeminiErrorBody {
  error: { code: number; message: string; status: GeminiStatus; details: GeminiErrorDetail[] };
}

// Google APIs put a machine-readable reason in an ErrorInfo detail (UPPER_SNAKE_CASE by their
// convention) and the wait time in RetryInfo; Gemini SDKs surface both, so our code travels there.
export function renderGeminiError(err: GatewayError): GeminiErrorBody {
  const details: GeminiErrorDetail[] = [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: err.code.toUpperCase(),
      domain: ERROR_DOMAIN,
      metadata: { code: err.code },
    },
  ];
  if (err.retryAfterSeconds !== undefined) {
    details.push({
      "@type": "type.googleapis.com/google.rpc.RetryInfo",
      retryDelay: `${Math.max(0, Math.ceil(err.retryAfterSeconds))}s`,
    });
  }
  if (err.param !== null) {
    details.push({
      "@type": "type.googleapis.com/google.rpc.BadRequest",
      fieldViolations: [{ field: err.param, description: err.message }],
    });
  }
  return {
    error: { code: err.status, message: err.message, status: err.spec.geminiStatus, details },
  };
}
