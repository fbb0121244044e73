import { geminiModels, geminiPost, targetSegment } from "@/lib/gateway";

// A gateway route: see lib/gateway/routes.ts for when Next serves it and why it is dynamic.
// The target is taken from the URL as sent, as server.ts passes it: Next's `params` are decoded
// once already, and the handlers decode it themselves.
export const dynamic = "force-dynamic";

// POST /v1beta/models/{model}:generateContent | :streamGenerateContent | :countTokens | :embedContent | :batchEmbedContents
export function POST(request: Request) {
  return geminiPost(request, targetSegment(new URL(request.url)));
}

// GET /v1beta/models/{model}
export function GET(request: Request) {
  return geminiModels(request, targetSegment(new URL(request.url)));
}
