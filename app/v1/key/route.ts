import { keyStatus } from "@/lib/gateway";

export const dynamic = "force-dynamic";

// GET /v1/key – the key's own status, limits, remaining time and spend.
export const GET = keyStatus;
