export { clearKeyCache, invalidateKey, invalidateOrderKeys } from "./key-cache";
export { invalidateCatalog } from "./catalog";
export { forwardingHandler } from "./handle-gateway-request";
export { keyStatus } from "./key-status";
export { listModels } from "./list-models";
export { flushUsage } from "./usage-writer";
export { geminiModels, geminiPost } from "./gemini-routes";
