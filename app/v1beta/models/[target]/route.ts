import { geminiModels, geminiPost, targetSegment } from "@/lib/gateway";

// server.ts answers this path itself with the same handler (lib/gateway/routes.ts); this route
// serves it under `npm run dev`, with GATEHOUSE_GATEWAY_VIA_NEXT=1, or when Next runs alone.
// The target is taken from the URL as sent, as server.ts passes it: Next's `params` are decoded
// once already, and the handlers decode it themselves.
export const dynamic = "force-dynamic";

// POST /v1beta/models/{model}:generateContent | :streamGenerateContent | :countTokens
export function POST(request: Request) {
  return geminiPost(request, targetSegment(new URL(request.url)));
}

// GET /v1beta/models/{model}
export function GET(request: Request) {
  return geminiModels(request, targetSegment(new URL(request.url)));
}
