import "server-only";
import { SIGN_IN_CONFIRM_PATH, SIGN_IN_PROVIDER_ID } from "./sign-in-link-token";

const BASE_PATH = "/api/auth/";
const CALLBACK = `callback/${SIGN_IN_PROVIDER_ID}`;

function authAction(request: Request): string {
  const { pathname } = new URL(request.url);
  return pathname.startsWith(BASE_PATH) ? pathname.slice(BASE_PATH.length).replace(/\/+$/, "") : "";
}

/** Back to the confirmation page for the same link, on the public URL. */
function toConfirmPage(request: Request, publicUrl: string): Response {
  const from = new URL(request.url).searchParams;
  const to = new URL(SIGN_IN_CONFIRM_PATH, publicUrl);
  for (const name of ["token", "email"]) {
    const value = from.get(name);
    if (value) to.searchParams.set(name, value);
  }
  return new Response(null, { status: 303, headers: { location: to.toString(), "cache-control": "no-store" } });
}

/** Whether a POST comes from a page of this site (the confirmation page's form). */
function isSameOrigin(request: Request, publicUrl: string): boolean {
  const origin = request.headers.get("origin");
  if (origin !== null) return origin === new URL(publicUrl).origin;
  return request.headers.get("sec-fetch-site") === "same-origin";
}

/**
 * Wraps Auth.js's route handlers with the rules of our sign-in flow:
 * - `POST /api/auth/signin/*` is closed: links are requested through the sign-in page, which
 *   applies the rate limits and never reveals whether an address has an account.
 * - `GET /api/auth/callback/email` never signs anyone in. A GET is what mail scanners and link
 *   previews send; it is redirected to the confirmation page, where a person presses Sign in.
 * - `POST /api/auth/callback/email` (that button) must come from our own page; otherwise another
 *   site could sign a visitor into an account of its choosing. A foreign POST is sent to the
 *   confirmation page too, where the token is still unused.
 * Everything else (session, sign-out, CSRF token, error redirects) is Auth.js's as is.
 */
export function guardAuthRoutes<R extends Request>(
  handlers: { GET: (request: R) => Promise<Response>; POST: (request: R) => Promise<Response> },
  publicUrl: () => string,
): { GET: (request: R) => Promise<Response>; POST: (request: R) => Promise<Response> } {
  return {
    async GET(request) {
      if (authAction(request) === CALLBACK) return toConfirmPage(request, publicUrl());
      return handlers.GET(request);
    },
    async POST(request) {
      const action = authAction(request);
      if (action === "signin" || action.startsWith("signin/")) {
        return Response.json({ error: "Request a sign-in link on the sign-in page." }, { status: 404 });
      }
      if (action === CALLBACK && !isSameOrigin(request, publicUrl())) return toConfirmPage(request, publicUrl());
      return handlers.POST(request);
    },
  };
}
