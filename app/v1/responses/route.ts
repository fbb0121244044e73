import { responses } from "@/lib/gateway";

// A gateway route: see lib/gateway/routes.ts for when Next serves it and why it is dynamic.
export const dynamic = "force-dynamic";

// POST /v1/responses – OpenAI Responses API (what Codex CLI speaks), streamed or not.
export const POST = responses;
