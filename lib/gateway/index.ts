export { clearKeyCache, invalidateKey, invalidateOrderKeys } from "./key-cache";
export { invalidateCatalog } from "./catalog";
export { chatCompletions, countTokens, embeddings, gatewayFallbackResponse, messages, responses } from "./routes";
export { keyStatus } from "./key-status";
export { listModels, retrieveModel } from "./list-models";
export { flushUsage } from "./usage-writer";
export { geminiModels, geminiPost, targetSegment } from "./gemini-routes";
