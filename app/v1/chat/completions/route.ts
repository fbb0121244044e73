import { chatCompletions } from "@/lib/gateway";

// Always per request; also spares Next the proxy it wraps around the request of a route whose
// dynamic behaviour it has to detect.
// server.ts answers this path itself with the same handler (lib/gateway/routes.ts); this route
// serves it under `npm run dev`, with GATEHOUSE_GATEWAY_VIA_NEXT=1, or when Next runs alone.
export const dynamic = "force-dynamic";

// POST /v1/chat/completions – OpenAI Chat Completions, streamed or not.
export const POST = chatCompletions;
