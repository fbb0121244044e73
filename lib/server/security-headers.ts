/**
 * The browser-facing security headers of the portal and the console.
 *
 * Pages get a Content-Security-Policy with a fresh nonce per request (proxy.ts). Next reads the
 * policy from the request's own `Content-Security-Policy` header, takes the nonce from its
 * `script-src` and puts it on every script and style element it renders; 'strict-dynamic' then
 * lets those scripts load the app's chunks and nothing else does run — no inline script an attacker
 * injects, no script from another origin, no eval outside development (React's dev tools need it).
 *
 * Styles: the stylesheet (Tailwind) is served from our origin and Next's own <style> elements
 * carry the nonce. Style *attributes* are allowed ('unsafe-inline' in `style-src-attr` only): the
 * charts (Recharts) and a few components render `style="…"` on the server, and an attribute can
 * neither run script nor fetch from another origin here (img-src, font-src and connect-src are our
 * origin only), so it adds no way out for injected markup.
 *
 * No `server-only` import: proxy.ts and server.ts's bundle load it as well as Next's pages.
 */

/** What the policy depends on besides the nonce. */
export interface PolicyOptions {
  /** `next dev`: React needs eval for its call stacks, and Turbopack injects styles without a nonce. */
  development: boolean;
  /** Served over https: browsers are told to upgrade any stray http subresource. */
  https: boolean;
}

/** A fresh nonce: 128 random bits, base64 (the CSP grammar allows its characters). */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** The Content-Security-Policy of a page rendered with `nonce`. */
export function contentSecurityPolicy(nonce: string, options: PolicyOptions): string {
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", `'nonce-${nonce}'`, "'strict-dynamic'", ...(options.development ? ["'unsafe-eval'"] : [])],
    // A nonce makes browsers ignore 'unsafe-inline', so development lists only the latter.
    ["style-src", "'self'", ...(options.development ? ["'unsafe-inline'"] : [`'nonce-${nonce}'`])],
    ["style-src-attr", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["form-action", "'self'"],
    ["frame-ancestors", "'none'"],
    ...(options.https ? [["upgrade-insecure-requests"] as [string]] : []),
  ];
  return directives.map((d) => d.join(" ")).join("; ");
}

/** HSTS for responses served over https: a year, this host only (the operator decides about subdomains). */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000";

/**
 * Whether a request reached us over https: the configured public URL is https (the address
 * browsers use, whatever terminates TLS), or the proxy in front says so. `X-Forwarded-Proto` is
 * only ever present from a trusted proxy: server.ts removes it from anyone else's request
 * (lib/server/client-ip.ts).
 */
export function servedOverHttps(publicUrl: string | undefined, forwardedProto: string | null): boolean {
  if (publicUrl?.startsWith("https:")) return true;
  return forwardedProto?.split(",")[0]?.trim().toLowerCase() === "https";
}

/**
 * Headers for every response Next serves (next.config.ts) and the gateway's (server.ts): no
 * content sniffing, no referrer beyond our own origin (sign-in and unsubscribe links carry tokens
 * in their query), and no framing by browsers that predate `frame-ancestors`.
 */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
};
