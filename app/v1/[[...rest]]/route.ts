import { gatewayFallbackResponse } from "@/lib/gateway";

// Every other path under this prefix, with any method: JSON in the caller's protocol (404
// endpoint_not_found naming the endpoints), never Next's page. server.ts answers these itself
// (lib/gateway/routes.ts, gatewayFallback), also under `npm run dev`; this file is for Next alone.
export const dynamic = "force-dynamic";

export const GET = gatewayFallbackResponse;
export const HEAD = gatewayFallbackResponse;
export const POST = gatewayFallbackResponse;
export const PUT = gatewayFallbackResponse;
export const PATCH = gatewayFallbackResponse;
export const DELETE = gatewayFallbackResponse;
export const OPTIONS = gatewayFallbackResponse;
