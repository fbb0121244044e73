import "server-only";
import { GatewayError } from "@/lib/errors";
import type { ApiKeyFailure } from "./diagnose-api-key";

/** The gateway's refusal for a failed diagnosis, carrying the provider or reason it found. */
export function apiKeyProblemError(failure: ApiKeyFailure): GatewayError {
  switch (failure.code) {
    case "api_key_other_provider":
      return new GatewayError(failure.code, { provider: failure.provider });
    case "invalid_api_key":
      return new GatewayError(failure.code, { reason: failure.reason });
    default:
      return new GatewayError(failure.code);
  }
}
