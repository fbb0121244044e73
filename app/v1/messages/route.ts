import { forwardingHandler } from "@/lib/gateway";

// Always per request; also spares Next the proxy it wraps around the request of a route whose
// dynamic behaviour it has to detect.
export const dynamic = "force-dynamic";

// POST /v1/messages (also ?beta=true) – Anthropic Messages, streamed or not.
export const POST = forwardingHandler("anthropic", "messages", "/v1/messages");
