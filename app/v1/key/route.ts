import { keyStatus } from "@/lib/gateway";

// A gateway route: see lib/gateway/routes.ts for when Next serves it and why it is dynamic.
export const dynamic = "force-dynamic";

// GET /v1/key – the key's own status, limits, remaining time and spend.
export const GET = keyStatus;
