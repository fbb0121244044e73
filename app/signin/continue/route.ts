import { redirect } from "next/navigation";
import type { NextRequest } from "next/server";
import { homePathFor, requireUser, safeNextPath } from "@/lib/auth";

export const dynamic = "force-dynamic";

// GET /signin/continue – where Auth.js sends a new session: on to `next` when it is a path of this
// site, otherwise the user's home (console for staff, dashboard for buyers).
export async function GET(request: NextRequest) {
  const user = await requireUser();
  redirect(safeNextPath(request.nextUrl.searchParams.get("next")) ?? homePathFor(user));
}
