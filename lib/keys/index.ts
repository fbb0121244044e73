export { issueApiKey, type IssuedApiKey } from "./issue-api-key";
export { listOrderKeys, type OrderKeyView } from "./order-keys";
export { revealApiKey, type RevealResult } from "./reveal-api-key";
export {
  KeyRotationError,
  MAX_ROTATION_OVERLAP_MS,
  parseOverlap,
  rotateApiKey,
  rotateApiKeyInTransaction,
  type RotateApiKeyInput,
  type RotatedKey,
  type RotationInTransaction,
} from "./rotate-api-key";
export { rotateOwnApiKey, SelfRotationRefusedError } from "./rotate-own-api-key";
export {
  SELF_ROTATION_OVERLAPS,
  selfRotationOverlapSchema,
  selfRotationRefusal,
  type SelfRotationOverlap,
  type SelfRotationRefusal,
} from "./self-rotation-rule";
export { keyDisplayStatus, type KeyDisplayStatus } from "./key-display-status";
export { KeyLimitsError, keyLimitsSchema, setKeyLimits, type KeyLimitsInput } from "./set-key-limits";
export {
  allowlistProblems,
  MAX_ALLOWLIST_ENTRIES,
  MAX_KEY_NAME_LENGTH,
  MAX_SPEND_LIMIT_USD,
  modelsOutsidePlan,
  SPEND_LIMIT_PERIODS,
  spendLimitText,
  type SpendLimitPeriodName,
} from "./key-limit-rules";
export {
  getConsoleKey,
  KEY_STATUSES,
  keyListQuerySchema,
  listConsoleKeys,
  type ConsoleKeyDetail,
  type ConsoleKeySummary,
  type KeyListQuery,
} from "./console-keys";
export { deleteApiKey, KeyStatusError, setKeyEnabled } from "./set-key-status";
export { LIVE_KEY_STATUSES } from "./live-keys";
export { createOwnApiKey, KeyCreationRefusedError, type KeyCreationRefusal } from "./create-own-api-key";
export { KeySettingsError, updateOwnKeySettings, type OwnKeySettings } from "./update-own-key-settings";
export { getOwnKeySettings, type OwnKeySettingsView } from "./get-own-key-settings";
