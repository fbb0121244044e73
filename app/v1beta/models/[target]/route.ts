import { geminiModels, geminiPost } from "@/lib/gateway";

// server.ts answers this path itself with the same handler (lib/gateway/routes.ts); this route
// serves it under `npm run dev`, with GATEHOUSE_GATEWAY_VIA_NEXT=1, or when Next runs alone.
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ target: string }> };

// POST /v1beta/models/{model}:generateContent | :streamGenerateContent | :countTokens
export async function POST(request: Request, { params }: Params) {
  return geminiPost(request, (await params).target);
}

// GET /v1beta/models/{model}
export async function GET(request: Request, { params }: Params) {
  return geminiModels(request, (await params).target);
}
