import { listModels } from "@/lib/gateway";

// server.ts answers this path itself with the same handler (lib/gateway/routes.ts); this route
// serves it under `npm run dev`, with GATEHOUSE_GATEWAY_VIA_NEXT=1, or when Next runs alone.
export const dynamic = "force-dynamic";

// GET /v1/models – the key's models (OpenAI shape; Anthropic shape with anthropic-version).
export const GET = listModels;
