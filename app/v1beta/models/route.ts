import { geminiModels } from "@/lib/gateway";

// A gateway route: see lib/gateway/routes.ts for when Next serves it and why it is dynamic.
export const dynamic = "force-dynamic";

// GET /v1beta/models – the key's models in Gemini's list shape.
export function GET(request: Request) {
  return geminiModels(request);
}
