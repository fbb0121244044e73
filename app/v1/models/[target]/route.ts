import { geminiPost, retrieveModel, targetSegment } from "@/lib/gateway";

// A gateway route: see lib/gateway/routes.ts for when Next serves it and why it is dynamic.
// The target is taken from the URL as sent, as server.ts passes it: Next's `params` are decoded
// once already, and the handlers decode it themselves.
export const dynamic = "force-dynamic";

// GET /v1/models/{model} – one of the key's models (OpenAI, Anthropic or Gemini shape by the headers).
export function GET(request: Request) {
  return retrieveModel(request, targetSegment(new URL(request.url)));
}

// POST /v1/models/{model}:generateContent | :streamGenerateContent | :countTokens | :embedContent | :batchEmbedContents
export function POST(request: Request) {
  return geminiPost(request, targetSegment(new URL(request.url)), "v1");
}
