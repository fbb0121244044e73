import { listModels } from "@/lib/gateway";

export const dynamic = "force-dynamic";

// GET /v1/models – the key's models (OpenAI shape; Anthropic shape with anthropic-version).
export const GET = listModels;
