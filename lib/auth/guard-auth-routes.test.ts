import { describe, expect, it, vi } from "vitest";
import { guardAuthRoutes } from "./guard-auth-routes";

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
