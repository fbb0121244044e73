import "server-only";

// API key format, diagnosis and display, and the server's secret handling. Server-only: it holds
// the pepper and encryption keys.
export {
  API_KEY_BODY_LENGTH,
  API_KEY_CHECKSUM_LENGTH,
  API_KEY_LENGTH,
  API_KEY_PREFIX,
  API_KEY_RANDOM_BYTES,
  API_KEY_REGEX,
  apiKeyChecksum,
  formatApiKey,
} from "./api-key-format";
export { generateApiKey } from "./generate-api-key";
export { diagnoseApiKey, type ApiKeyDiagnosis, type ApiKeyFailure, type ApiKeyProblem, type MalformedApiKeyReason } from "./diagnose-api-key";
export { detectOtherProvider, type OtherProviderMatch } from "./detect-other-provider";
export { apiKeyProblemError } from "./api-key-problem-error";
export { formatKeyMask, keyLastFour, maskApiKey } from "./mask-api-key";
export { hmacLookup } from "./hmac-lookup";
export { decryptSecret, encryptSecret, SecretDecryptionError, type SecretDecryptionFailure, CHANNEL_KEY_AAD } from "./encrypt-secret";
export { deriveSecretKeys, MIN_SECRET_LENGTH, type SecretKeys } from "./derive-secret-keys";
export { safeEqual } from "./safe-equal";
export { getSecretKeys } from "./get-secret-keys";
