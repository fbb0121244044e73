import { forwardingHandler } from "@/lib/gateway";

// POST /v1/chat/completions – OpenAI Chat Completions, streamed or not.
export const POST = forwardingHandler("openai", "chat", "/v1/chat/completions");
