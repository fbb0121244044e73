import { geminiModels } from "@/lib/gateway";

// server.ts answers this path itself with the same handler (lib/gateway/routes.ts); this route
// serves it under `npm run dev`, with GATEHOUSE_GATEWAY_VIA_NEXT=1, or when Next runs alone.
export const dynamic = "force-dynamic";

// GET /v1beta/models – the key's models in Gemini's list shape.
export function GET(request: Request) {
  return geminiModels(request);
}
