import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { GET, POST } from "@/app/api/auth/[...nextauth]/route";
import { resetConfig } from "@/lib/config";
import { setDatabase } from "@/lib/db";
import { describeEachEngine, createTestDatabase, type TestDatabase } from "@/test/databases";
import type { DeliverSignInLink } from "./send-sign-in-link";
import { sendSignInLink } from "./send-sign-in-link";
import { buildSignInCallbackPath } from "./sign-in-link-token";
import { getSignInSettings } from "./sign-in-settings";

// Auth.js's real route (app/api/auth/[...nextauth]) consuming the links we issue: the token
// format and hash agree, a link works once, sessions are database rows, and ADMIN_EMAILS applies.

const PUBLIC_URL = "https://gate.example.com";
const ENV = {
  GATEHOUSE_PUBLIC_URL: PUBLIC_URL,
  AUTH_SECRET: "auth-flow-test-secret-0123456789abcdefghijklmnop",
  GATEHOUSE_SECRET: "auth-flow-gatehouse-secret-0123456789abcdefghij",
  MARKETPLACE_WEBHOOK_SECRET: "auth-flow-webhook-secret-0123456789abcdefghijk",
  ADMIN_EMAILS: "boss@example.com",
  SMTP_URL: "",
} as const;

describeEachEngine("Auth.js with our sign-in links", (engine) => {
  let t: TestDatabase;
  let dataDir: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "gatehouse-auth-"));
    for (const [name, value] of Object.entries({ ...ENV, GATEHOUSE_DATA_DIR: dataDir, AUTH_URL: undefined })) {
      saved[name] = process.env[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfig();
    t = await createTestDatabase(engine);
    setDatabase(t.db);
    await t.db.prisma.user.create({ data: { email: "dana@example.com" } });
  });
  afterAll(async () => {
    setDatabase(undefined);
    await t?.drop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfig();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Issues a link for `email` and returns its token (from the mailed URL). */
  async function issueToken(email: string): Promise<string> {
    let url = "";
    const capture: DeliverSignInLink = async (input) => {
      url = input.url;
    };
    expect(await sendSignInLink(t.db.prisma, { email }, getSignInSettings(), capture)).toBe("sent");
    return new URL(url).searchParams.get("token") ?? "";
  }

  /** Presses Sign in on the confirmation page: a same-origin POST to the callback. */
  function pressSignIn(token: string, email: string, origin = PUBLIC_URL, host = "gate.example.com") {
    const path = buildSignInCallbackPath({ token, email });
    const scheme = new URL(origin).protocol;
    return POST(new NextRequest(`${scheme}//${host}${path}`, { method: "POST", headers: { origin, host } }));
  }

  function sessionCookie(response: Response): string | undefined {
    return response.headers
      .getSetCookie()
      .find((c) => c.startsWith("__Secure-authjs.session-token="))
      ?.split(";")[0];
  }

  it("signs in once with a link, creating a database session, and refuses the link the second time", async () => {
    const token = await issueToken("dana@example.com");
    const first = await pressSignIn(token, "dana@example.com");
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe(`${PUBLIC_URL}/signin/continue`);
    const cookie = sessionCookie(first);
    expect(cookie).toBeDefined();

    const user = await t.db.prisma.user.findUniqueOrThrow({ where: { email: "dana@example.com" }, include: { sessions: true } });
    expect(user.sessions).toHaveLength(1);
    expect(user.emailVerified).toBeInstanceOf(Date);

    const session = await GET(new NextRequest(`${PUBLIC_URL}/api/auth/session`, { headers: { cookie: cookie ?? "" } }));
    expect(await session.json()).toMatchObject({ user: { id: user.id, email: "dana@example.com" } });

    const second = await pressSignIn(token, "dana@example.com");
    expect(second.status).toBe(302);
    expect(second.headers.get("location")).toBe(`${PUBLIC_URL}/signin/error?error=Verification`);
    expect(sessionCookie(second)).toBeUndefined();
  });

  it("refuses an expired link", async () => {
    const token = await issueToken("dana@example.com");
    await t.db.prisma.verificationToken.updateMany({ where: { identifier: "dana@example.com" }, data: { expires: new Date(Date.now() - 1000) } });
    const response = await pressSignIn(token, "dana@example.com");
    expect(response.headers.get("location")).toBe(`${PUBLIC_URL}/signin/error?error=Verification`);
    expect(sessionCookie(response)).toBeUndefined();
  });

  it("sets a Secure, HttpOnly, SameSite=Lax __Secure- cookie on an https public URL, even when TLS ended at a proxy", async () => {
    const token = await issueToken("dana@example.com");
    const path = buildSignInCallbackPath({ token, email: "dana@example.com" });
    // The proxy in front speaks plain http to us; the public URL says browsers use https.
    const response = await POST(
      new NextRequest(`http://gate.example.com${path}`, { method: "POST", headers: { origin: PUBLIC_URL, host: "gate.example.com" } }),
    );
    expect(response.status).toBe(302);
    const session = response.headers.getSetCookie().find((c) => c.startsWith("__Secure-authjs.session-token="));
    expect(session).toMatch(/; HttpOnly/i);
    expect(session).toMatch(/; SameSite=Lax/i);
    expect(session).toMatch(/; Secure/i);
    expect(response.headers.getSetCookie().filter((c) => c.startsWith("authjs.session-token="))).toEqual([]);
  });

  it("builds its redirects on the public URL whatever the Host header says", async () => {
    const token = await issueToken("dana@example.com");
    const response = await pressSignIn(token, "dana@example.com", PUBLIC_URL, "evil.example");
    expect(response.headers.get("location")).toBe(`${PUBLIC_URL}/signin/continue`);
  });

  // Next reports a request to 127.0.0.1 as `localhost`; Auth.js used to redirect there, where the
  // cookie just set on 127.0.0.1 is not sent, and sign-in looped back to /signin.
  for (const publicUrl of ["http://127.0.0.1:3456", "http://gate.internal:8080"]) {
    it(`redirects and sets the session cookie on GATEHOUSE_PUBLIC_URL=${publicUrl}`, async () => {
      process.env.GATEHOUSE_PUBLIC_URL = publicUrl;
      resetConfig();
      try {
        const token = await issueToken("dana@example.com");
        const host = new URL(publicUrl).host;
        const response = await pressSignIn(token, "dana@example.com", publicUrl, host);
        expect(response.status).toBe(302);
        expect(response.headers.get("location")).toBe(`${publicUrl}/signin/continue`);
        const cookies = response.headers.getSetCookie();
        const session = cookies.find((c) => c.startsWith("authjs.session-token="));
        expect(session).toBeDefined();
        expect(session).not.toMatch(/domain=/i);
        // Over http: HttpOnly and SameSite=Lax, and not Secure (the browser would drop it).
        expect(session).toMatch(/; HttpOnly/i);
        expect(session).toMatch(/; SameSite=Lax/i);
        expect(session).not.toMatch(/; Secure/i);
      } finally {
        process.env.GATEHOUSE_PUBLIC_URL = PUBLIC_URL;
        resetConfig();
      }
    });
  }

  it("creates a user for an ADMIN_EMAILS address at first sign-in and makes it an admin, audited", async () => {
    const token = await issueToken("boss@example.com");
    const response = await pressSignIn(token, "boss@example.com");
    expect(sessionCookie(response)).toBeDefined();
    const boss = await t.db.prisma.user.findUniqueOrThrow({ where: { email: "boss@example.com" } });
    expect(boss.role).toBe("ADMIN");
    expect(await t.db.prisma.auditLog.findFirst({ where: { targetId: boss.id, action: "user.role_changed" } })).toMatchObject({
      actorLabel: "system",
      details: { from: "BUYER", to: "ADMIN" },
    });
  });

  it("signs out by deleting the session row", async () => {
    const token = await issueToken("dana@example.com");
    const cookie = sessionCookie(await pressSignIn(token, "dana@example.com")) ?? "";
    const before = await t.db.prisma.session.count();
    const csrf = await GET(new NextRequest(`${PUBLIC_URL}/api/auth/csrf`, { headers: { cookie } }));
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const csrfCookie = csrf.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const response = await POST(
      new NextRequest(`${PUBLIC_URL}/api/auth/signout`, {
        method: "POST",
        headers: { cookie: `${cookie}; ${csrfCookie}`, "content-type": "application/x-www-form-urlencoded", origin: PUBLIC_URL },
        body: new URLSearchParams({ csrfToken }).toString(),
      }),
    );
    expect(response.status).toBe(302);
    expect(await t.db.prisma.session.count()).toBe(before - 1);
  });
});
