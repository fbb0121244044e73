import { listModels } from "@/lib/gateway";

// A gateway route: see lib/gateway/routes.ts for when Next serves it and why it is dynamic.
export const dynamic = "force-dynamic";

// GET /v1/models – the key's models (OpenAI shape; Anthropic shape with anthropic-version).
export const GET = listModels;
