import { vi } from "vitest";

// The session boundary for tests of the data layer and server actions. Auth.js
// (`@/lib/auth/auth`) is replaced by a session for `signedInAs.userId`, and `next/headers` by
// request headers carrying `signedInAs.clientIp`; everything behind them (user lookup, roles,
// access checks, the database) is the real code. In a test file:
//
//   vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
//   vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());

export const signedInAs: { userId: string | null; clientIp: string } = { userId: null, clientIp: "203.0.113.9" };

export function sessionModule() {
  return {
    auth: async () => (signedInAs.userId ? { user: { id: signedInAs.userId }, expires: new Date(Date.now() + 3_600_000).toISOString() } : null),
    handlers: { GET: vi.fn(), POST: vi.fn() },
    signIn: vi.fn(),
    signOut: vi.fn(),
  };
}

export function headersModule() {
  return {
    headers: async () => new Headers({ "x-gatehouse-client-ip": signedInAs.clientIp }),
  };
}
