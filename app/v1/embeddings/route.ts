import { embeddings } from "@/lib/gateway";

// A gateway route: see lib/gateway/routes.ts for when Next serves it and why it is dynamic.
export const dynamic = "force-dynamic";

// POST /v1/embeddings – OpenAI's embeddings API, for OpenAI and Gemini embedding models.
export const POST = embeddings;
