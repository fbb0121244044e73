import { afterEach, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import nextConfig from "@/next.config";
import { proxy } from "@/proxy";
import { resetConfig } from "@/lib/config";
import { contentSecurityPolicy, createNonce, servedOverHttps, STATIC_SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY } from "./security-headers";

// The policy's text and the decisions around it (https, development); e2e/security-headers.spec.ts
// holds the pages to the policy in Chromium.

const saved = { GATEHOUSE_PUBLIC_URL: process.env.GATEHOUSE_PUBLIC_URL, NODE_ENV: process.env.NODE_ENV };
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete (process.env as Record<string, string | undefined>)[name];
    else (process.env as Record<string, string>)[name] = value;
  }
  resetConfig();
});

describe("content security policy", () => {
  it("runs only scripts with the nonce (and what they load), no eval, no framing, no plugins", () => {
    const policy = contentSecurityPolicy("abc123==", { development: false, https: false });
    const directives = Object.fromEntries(policy.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")]));
    expect(directives).toEqual({
      "default-src": "'self'",
      "script-src": "'nonce-abc123==' 'strict-dynamic'",
      "style-src": "'self' 'nonce-abc123=='",
      "style-src-attr": "'unsafe-inline'",
      "img-src": "'self' data: blob:",
      "font-src": "'self'",
      "connect-src": "'self'",
      "object-src": "'none'",
      "base-uri": "'none'",
      "form-action": "'self'",
      "frame-ancestors": "'none'",
    });
    expect(policy).not.toMatch(/unsafe-eval|\*|https?:/);
  });

  it("allows eval and unnonced styles only under the development server, and upgrades requests over https", () => {
    expect(contentSecurityPolicy("n", { development: true, https: false })).toContain("script-src 'nonce-n' 'strict-dynamic' 'unsafe-eval';");
    expect(contentSecurityPolicy("n", { development: true, https: false })).toContain("style-src 'self' 'unsafe-inline';");
    expect(contentSecurityPolicy("n", { development: false, https: true })).toMatch(/; upgrade-insecure-requests$/);
  });

  it("makes a different 128-bit nonce every time", () => {
    const nonces = new Set(Array.from({ length: 1000 }, () => createNonce()));
    expect(nonces.size).toBe(1000);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});

describe("served over https", () => {
  it("is the public URL's scheme, or the trusted proxy's X-Forwarded-Proto", () => {
    expect(servedOverHttps("https://gate.example.com", null)).toBe(true);
    expect(servedOverHttps("http://localhost:3000", null)).toBe(false);
    expect(servedOverHttps("http://localhost:3000", "https")).toBe(true);
    expect(servedOverHttps("http://localhost:3000", "HTTPS, http")).toBe(true);
    expect(servedOverHttps("http://localhost:3000", "http")).toBe(false);
    expect(servedOverHttps(undefined, "")).toBe(false);
  });
});

describe("proxy", () => {
  const page = (url: string, headers: Record<string, string> = {}) => new NextRequest(url, { headers });

  it("gives each page its policy, in the response and in the request Next renders from, without HSTS over http", () => {
    process.env.GATEHOUSE_PUBLIC_URL = "http://localhost:3000";
    resetConfig();
    const first = proxy(page("http://localhost:3000/faq"));
    const second = proxy(page("http://localhost:3000/faq"));
    const policy = first.headers.get("content-security-policy") ?? "";
    expect(policy).toMatch(/^default-src 'self'; script-src 'nonce-[^']+' 'strict-dynamic'; /);
    expect(second.headers.get("content-security-policy")).not.toBe(policy);
    // NextResponse.next({ request: { headers } }) hands Next the overridden request headers this way.
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
    expect(first.headers.get("strict-transport-security")).toBeNull();
  });

  it("adds HSTS when the public URL is https, or a trusted proxy says the request came over https", () => {
    process.env.GATEHOUSE_PUBLIC_URL = "https://gate.example.com";
    resetConfig();
    const response = proxy(page("https://gate.example.com/dashboard", { cookie: "__Secure-authjs.session-token=x" }));
    expect(response.headers.get("strict-transport-security")).toBe(STRICT_TRANSPORT_SECURITY);
    expect(response.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");

    process.env.GATEHOUSE_PUBLIC_URL = "http://localhost:3000";
    resetConfig();
    expect(proxy(page("http://localhost:3000/", { "x-forwarded-proto": "https" })).headers.get("strict-transport-security")).toBe(STRICT_TRANSPORT_SECURITY);
  });

  it("sends a visitor without a session cookie from a signed-in page to the sign-in page, with the headers too", () => {
    process.env.GATEHOUSE_PUBLIC_URL = "http://localhost:3000";
    resetConfig();
    const response = proxy(page("http://localhost:3000/usage/requests?page=2"));
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe("http://localhost:3000/signin?next=%2Fusage%2Frequests%3Fpage%3D2");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    // A public page whose name merely starts like a signed-in one is not redirected.
    expect(proxy(page("http://localhost:3000/supportive")).status).toBe(200);
  });
});

describe("static headers", () => {
  it("are on every response Next serves, as next.config.ts lists them", async () => {
    const config = nextConfig("phase-production-server");
    const rules = await config.headers!();
    expect(rules).toEqual([{ source: "/:path*", headers: Object.entries(STATIC_SECURITY_HEADERS).map(([key, value]) => ({ key, value })) }]);
  });
});
