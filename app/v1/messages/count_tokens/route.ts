import { countTokens } from "@/lib/gateway";

// A gateway route: see lib/gateway/routes.ts for when Next serves it and why it is dynamic.
export const dynamic = "force-dynamic";

// POST /v1/messages/count_tokens – Anthropic token counting (not billed).
export const POST = countTokens;
