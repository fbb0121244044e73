import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { contentSecurityPolicy, createNonce, servedOverHttps, STRICT_TRANSPORT_SECURITY } from "@/lib/server/security-headers";

// Runs before every page (not the gateway, route handlers or static files; see `config`):
//  - the page's Content-Security-Policy with a fresh nonce. Next reads the policy from the request
//    headers, takes the nonce from it and puts it on the scripts it renders (Next's documented
//    way); the browser gets the same policy. Every page is rendered per request (app/layout.tsx),
//    so no cached page carries a stale nonce or none;
//  - HSTS when the page was served over https;
//  - an early, optimistic redirect: a visitor without a session cookie who opens a signed-in page
//    is sent to the sign-in page (and back here afterwards) without rendering anything. It proves
//    nothing about the cookie; the data layer (lib/auth) checks the session and the role on every
//    page, action and route handler.

const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];
const SIGNED_IN_PREFIXES = ["/dashboard", "/usage", "/support", "/orders", "/settings", "/console"];

function needsSession(pathname: string): boolean {
  return SIGNED_IN_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

export function proxy(request: NextRequest) {
  const config = getConfig();
  const https = servedOverHttps(config.publicUrl, request.headers.get("x-forwarded-proto"));
  const nonce = createNonce();
  const policy = contentSecurityPolicy(nonce, { development: config.nodeEnv === "development", https });

  let response: NextResponse;
  if (needsSession(request.nextUrl.pathname) && !SESSION_COOKIES.some((name) => request.cookies.has(name))) {
    const target = request.nextUrl.clone();
    target.pathname = "/signin";
    target.search = `?${new URLSearchParams({ next: `${request.nextUrl.pathname}${request.nextUrl.search}` })}`;
    // On the origin the visitor used: this redirect answers their own request only.
    response = NextResponse.redirect(target);
  } else {
    const headers = new Headers(request.headers);
    headers.set("content-security-policy", policy);
    response = NextResponse.next({ request: { headers } });
  }
  response.headers.set("Content-Security-Policy", policy);
  if (https) response.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  return response;
}

export const config = {
  // Pages only: the gateway (/v1, /v1beta) and the route handlers under /api answer JSON or files,
  // and Next's static files never change per request.
  matcher: ["/((?!v1/|v1$|v1beta/|v1beta$|api/|_next/static/|_next/image|favicon.ico|icon|apple-icon).*)"],
};
