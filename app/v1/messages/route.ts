import { forwardingHandler } from "@/lib/gateway";

// POST /v1/messages (also ?beta=true) – Anthropic Messages, streamed or not.
export const POST = forwardingHandler("anthropic", "messages", "/v1/messages");
