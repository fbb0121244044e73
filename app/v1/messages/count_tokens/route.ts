import { forwardingHandler } from "@/lib/gateway";

// Always per request; also spares Next the proxy it wraps around the request of a route whose
// dynamic behaviour it has to detect.
export const dynamic = "force-dynamic";

// POST /v1/messages/count_tokens – Anthropic token counting (not billed).
export const POST = forwardingHandler("anthropic", "count_tokens", "/v1/messages/count_tokens");
