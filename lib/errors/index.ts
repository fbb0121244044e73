// The Errors table of DESIGN.md and its renderers. Free of Node-only imports so that the FAQ page
// and client components can list the table too.
export { ERROR_CODES, isErrorCode, type ErrorCode } from "./error-codes";
export { ERROR_TABLE, type AnthropicErrorType, type ErrorSpec, type GeminiStatus, type OpenAIErrorType } from "./error-table";
export type { CommonErrorOptions, ErrorDetails, ErrorDetailsByCode, GatewayErrorOptions, Instant, InvalidApiKeyReason } from "./error-details";
export { buildErrorMessage } from "./build-error-message";
export { GatewayError, isGatewayError, toGatewayError } from "./gateway-error";
export { renderOpenAIError, type OpenAIErrorBody } from "./render-openai-error";
export { renderAnthropicError, type AnthropicErrorBody } from "./render-anthropic-error";
export { renderGeminiError, type GeminiErrorBody, type GeminiErrorDetail } from "./render-gemini-error";
export { constantError, errorAnswer, errorResponse, type ApiProtocol, type ErrorAnswer } from "./error-response";
export { listErrorsForFaq, type FaqErrorRow } from "./list-errors-for-faq";
