import { geminiModels } from "@/lib/gateway";

export const dynamic = "force-dynamic";

// GET /v1beta/models – the key's models in Gemini's list shape.
export function GET(request: Request) {
  return geminiModels(request);
}
