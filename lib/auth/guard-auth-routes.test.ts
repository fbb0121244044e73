import { describe, expect, it, vi } from "vitest";
import { guardAuthRoutes, publicLocation } from "./guard-auth-routes";

const PUBLIC_URL = "https://gate.example.com";

function setup() {
  const GET = vi.fn(async () => new Response("auth.js GET"));
  const POST = vi.fn(async () => new Response("auth.js POST"));
  return { inner: { GET, POST }, guarded: guardAuthRoutes({ GET, POST }, () => PUBLIC_URL) };
}

describe("guardAuthRoutes", () => {
  it("closes Auth.js's own sign-in endpoint: links are requested through the sign-in page", async () => {
    const { inner, guarded } = setup();
    for (const path of ["/api/auth/signin", "/api/auth/signin/email", "/api/auth/signin/nodemailer/"]) {
      const response = await guarded.POST(new Request(`http://evil.example${path}`, { method: "POST", body: "email=a@b.c" }));
      expect(response.status).toBe(404);
    }
    expect(inner.POST).not.toHaveBeenCalled();
  });

  it("turns a GET of the link callback into the confirmation page on the public URL", async () => {
    const { inner, guarded } = setup();
    const response = await guarded.GET(
      new Request("http://evil.example/api/auth/callback/email?token=abc&email=a%40b.c&callbackUrl=https%3A%2F%2Fevil.example"),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${PUBLIC_URL}/signin/confirm?token=abc&email=a%40b.c`);
    expect(inner.GET).not.toHaveBeenCalled();
  });

  it("passes a same-origin POST of the callback to Auth.js and sends a foreign one back to the confirmation page", async () => {
    const { inner, guarded } = setup();
    const url = `${PUBLIC_URL}/api/auth/callback/email?token=abc&email=a%40b.c`;
    const own = await guarded.POST(new Request(url, { method: "POST", headers: { origin: PUBLIC_URL } }));
    expect(await own.text()).toBe("auth.js POST");
    const fetchMetadata = await guarded.POST(new Request(url, { method: "POST", headers: { "sec-fetch-site": "same-origin" } }));
    expect(await fetchMetadata.text()).toBe("auth.js POST");
    expect(inner.POST).toHaveBeenCalledTimes(2);

    const foreignHeaders: Record<string, string>[] = [{ origin: "https://evil.example" }, { origin: "null" }, {}, { "sec-fetch-site": "cross-site" }];
    for (const headers of foreignHeaders) {
      const foreign = await guarded.POST(new Request(url, { method: "POST", headers }));
      expect(foreign.status).toBe(303);
      expect(foreign.headers.get("location")).toBe(`${PUBLIC_URL}/signin/confirm?token=abc&email=a%40b.c`);
    }
    expect(inner.POST).toHaveBeenCalledTimes(2);
  });

  it("leaves the other Auth.js routes alone", async () => {
    const { inner, guarded } = setup();
    expect(await (await guarded.GET(new Request(`${PUBLIC_URL}/api/auth/session`))).text()).toBe("auth.js GET");
    expect(await (await guarded.POST(new Request(`${PUBLIC_URL}/api/auth/signout`, { method: "POST" }))).text()).toBe("auth.js POST");
    expect(inner.GET).toHaveBeenCalledTimes(1);
    expect(inner.POST).toHaveBeenCalledTimes(1);
  });
});

describe("publicLocation", () => {
  it("moves Auth.js's loopback redirects onto a 127.0.0.1 public URL (Next reports 127.0.0.1 as localhost)", () => {
    const publicUrl = "http://127.0.0.1:3456";
    const request = "http://localhost:3456/api/auth/callback/email?token=t";
    expect(publicLocation("http://localhost:3456/signin/continue", request, publicUrl)).toBe("http://127.0.0.1:3456/signin/continue");
    expect(publicLocation("/signin/error?error=Verification", request, publicUrl)).toBe("http://127.0.0.1:3456/signin/error?error=Verification");
    expect(publicLocation("http://[::1]:3456/signin?x=1#top", request, publicUrl)).toBe("http://127.0.0.1:3456/signin?x=1#top");
  });

  it("moves redirects on the request's own origin onto a host-name public URL", () => {
    const publicUrl = "https://gate.example.com";
    expect(publicLocation("http://10.0.0.7:3000/signin/continue", "http://10.0.0.7:3000/api/auth/callback/email", publicUrl)).toBe(
      "https://gate.example.com/signin/continue",
    );
    expect(publicLocation("https://gate.example.com/dashboard", "http://localhost:3000/api/auth/signout", publicUrl)).toBe(
      "https://gate.example.com/dashboard",
    );
  });

  it("leaves other sites, other ports and unparsable locations alone", () => {
    const publicUrl = "http://127.0.0.1:3456";
    const request = "http://localhost:3456/api/auth/signout";
    expect(publicLocation("https://elsewhere.example/x", request, publicUrl)).toBe("https://elsewhere.example/x");
    expect(publicLocation("http://localhost:9999/x", request, publicUrl)).toBe("http://localhost:9999/x");
    expect(publicLocation("http://[bad", request, publicUrl)).toBe("http://[bad");
  });

  it("rewrites the Location of a guarded Auth.js response and keeps its cookies", async () => {
    const headers = new Headers({ location: "http://localhost:3456/signin/continue" });
    headers.append("set-cookie", "a=1; Path=/");
    headers.append("set-cookie", "b=2; Path=/");
    const POST = vi.fn(async () => new Response(null, { status: 302, headers }));
    const guarded = guardAuthRoutes({ GET: POST, POST }, () => "http://127.0.0.1:3456");
    const response = await guarded.POST(new Request("http://localhost:3456/api/auth/signout", { method: "POST" }));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("http://127.0.0.1:3456/signin/continue");
    expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
  });
});
