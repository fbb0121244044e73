import { forwardingHandler } from "@/lib/gateway";

// POST /v1/messages/count_tokens – Anthropic token counting (not billed).
export const POST = forwardingHandler("anthropic", "count_tokens", "/v1/messages/count_tokens");
