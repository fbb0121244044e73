import { guardAuthRoutes, handlers } from "@/lib/auth";
import { getConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

// GET|POST /api/auth/* – Auth.js (link callback, session, sign-out) behind our sign-in rules.
export const { GET, POST } = guardAuthRoutes(handlers, () => getConfig().publicUrl);
