import { chatCompletions } from "@/lib/gateway";

// A gateway route: see lib/gateway/routes.ts for when Next serves it and why it is dynamic.
export const dynamic = "force-dynamic";

// POST /v1/chat/completions – OpenAI Chat Completions, streamed or not.
export const POST = chatCompletions;
