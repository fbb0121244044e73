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

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether `url` is this site: the public origin, the origin the request arrived on, or a loopback name of the public origin. */
function isOwnOrigin(url: URL, requestOrigin: string, publicOrigin: URL): boolean {
  if (url.origin === publicOrigin.origin || url.origin === requestOrigin) return true;
  // Next reports a request to 127.0.0.1 or [::1] as `localhost` (its NextURL normalises loopback
  // names), so Auth.js, which builds its redirects from that URL, answers on `localhost`.
  return (
    url.protocol === publicOrigin.protocol && url.port === publicOrigin.port && LOOPBACK_HOSTS.has(url.hostname) && LOOPBACK_HOSTS.has(publicOrigin.hostname)
  );
}

/**
 * A redirect of Auth.js's to a page of this site, moved onto the configured public URL. Auth.js takes
 * its origin from the request as Next hands it over, which is not always the one the browser used:
 * with GATEHOUSE_PUBLIC_URL=http://127.0.0.1:PORT it answered `http://localhost:PORT/…`, where the
 * session cookie just set on 127.0.0.1 is not sent, and sign-in looped. Locations on other sites are
 * left alone (Auth.js's redirect callback only ever returns our own origin).
 */
export function publicLocation(location: string, requestUrl: string, publicUrl: string): string {
  let target: URL;
  try {
    target = new URL(location, requestUrl);
  } catch {
    return location;
  }
  const publicOrigin = new URL(publicUrl);
  if (!isOwnOrigin(target, new URL(requestUrl).origin, publicOrigin)) return location;
  return new URL(`${target.pathname}${target.search}${target.hash}`, publicOrigin.origin).toString();
}

/** The response with its Location (if any) on the public URL. */
function onPublicUrl(response: Response, request: Request, publicUrl: string): Response {
  const location = response.headers.get("location");
  if (!location) return response;
  const moved = publicLocation(location, request.url, publicUrl);
  if (moved === location) return response;
  const headers = new Headers(response.headers);
  headers.set("location", moved);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
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
 * Everything else (session, sign-out, CSRF token, error redirects) is Auth.js's, with every
 * redirect to a page of this site moved onto the public URL (`publicLocation`).
 */
export function guardAuthRoutes<R extends Request>(
  handlers: { GET: (request: R) => Promise<Response>; POST: (request: R) => Promise<Response> },
  publicUrl: () => string,
): { GET: (request: R) => Promise<Response>; POST: (request: R) => Promise<Response> } {
  return {
    async GET(request) {
      if (authAction(request) === CALLBACK) return toConfirmPage(request, publicUrl());
      return onPublicUrl(await handlers.GET(request), request, publicUrl());
    },
    async POST(request) {
      const action = authAction(request);
      if (action === "signin" || action.startsWith("signin/")) {
        return Response.json({ error: "Request a sign-in link on the sign-in page." }, { status: 404 });
      }
      if (action === CALLBACK && !isSameOrigin(request, publicUrl())) return toConfirmPage(request, publicUrl());
      return onPublicUrl(await handlers.POST(request), request, publicUrl());
    },
  };
}
