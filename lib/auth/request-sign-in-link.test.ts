import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { KeyRateLimiter, resetRateLimit, setKeyRateLimiter } from "@/lib/limits";
import { closeClient, deleteKeys, redisUp, testClient, uniquePrefix } from "@/lib/redis/redis-test-support";
import { describeEachEngine, createTestDatabase, type TestDatabase } from "@/test/databases";
import { inspectSignInLink } from "./inspect-sign-in-link";
import { requestSignInLink, SIGN_IN_LINK_LIMITS } from "./request-sign-in-link";
import { sendSignInLink, type DeliverSignInLink } from "./send-sign-in-link";
import type { SignInSettings } from "./sign-in-settings";
import { hashSignInToken } from "./sign-in-link-token";

const settings: SignInSettings = {
  publicUrl: "https://gate.example.com",
  authSecret: "auth-secret-for-tests-0123456789abcdefghij",
  ttlSeconds: 900,
  adminEmails: ["boss@example.com"],
  mail: { smtpUrl: undefined, emailFrom: "Gatehouse <no-reply@gate.example.com>", publicUrl: "https://gate.example.com" },
};

type Delivered = Parameters<DeliverSignInLink>[0];

function recorder() {
  const sent: Delivered[] = [];
  const deliver: DeliverSignInLink = async (input) => {
    sent.push(input);
  };
  return { sent, deliver };
}

/** A fresh IP per test: the limiters are process-wide. */
const freshIp = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}-${randomUUID()}`;

describeEachEngine("sign-in links", (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
    await t.db.prisma.user.createMany({ data: [{ email: "dana@example.com" }, { email: "sam@example.com", role: "SUPPORT" }] });
  });
  afterAll(() => t?.drop());

  describe("sendSignInLink", () => {
    it("stores only the token's hash and mails a link to the confirmation page on the public URL", async () => {
      const { sent, deliver } = recorder();
      expect(await sendSignInLink(t.db.prisma, { email: "dana@example.com", next: "/usage" }, settings, deliver)).toBe("sent");
      expect(sent).toHaveLength(1);
      const url = new URL(sent[0]?.url ?? "");
      expect(url.origin + url.pathname).toBe("https://gate.example.com/signin/confirm");
      expect(url.searchParams.get("email")).toBe("dana@example.com");
      expect(url.searchParams.get("next")).toBe("/usage");
      expect(sent[0]?.to).toBe("dana@example.com");
      expect(sent[0]?.ttlSeconds).toBe(900);

      const token = url.searchParams.get("token") ?? "";
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      const rows = await t.db.prisma.verificationToken.findMany({ where: { identifier: "dana@example.com" } });
      expect(rows.map((r) => r.token)).toContain(hashSignInToken(token, settings.authSecret));
      expect(rows.map((r) => r.token)).not.toContain(token);
      const row = rows.find((r) => r.token === hashSignInToken(token, settings.authSecret));
      expect(Math.abs((row?.expires.getTime() ?? 0) - Date.now() - 900_000)).toBeLessThan(10_000);
    });

    it("sends nothing and stores nothing for an address that cannot sign in", async () => {
      const { sent, deliver } = recorder();
      expect(await sendSignInLink(t.db.prisma, { email: "stranger@example.com" }, settings, deliver)).toBe("not_eligible");
      expect(sent).toEqual([]);
      expect(await t.db.prisma.verificationToken.count({ where: { identifier: "stranger@example.com" } })).toBe(0);
    });

    it("sends a link to an address in ADMIN_EMAILS before its user exists", async () => {
      const { sent, deliver } = recorder();
      expect(await sendSignInLink(t.db.prisma, { email: "boss@example.com" }, settings, deliver)).toBe("sent");
      expect(sent.map((s) => s.to)).toEqual(["boss@example.com"]);
    });

    it("removes the token when the mail cannot be sent", async () => {
      const failing: DeliverSignInLink = async () => {
        throw new Error("SMTP down");
      };
      await expect(sendSignInLink(t.db.prisma, { email: "sam@example.com" }, settings, failing)).rejects.toThrow("SMTP down");
      expect(await t.db.prisma.verificationToken.count({ where: { identifier: "sam@example.com" } })).toBe(0);
    });
  });

  describe("inspectSignInLink", () => {
    async function issue(email: string, now?: Date) {
      const { sent, deliver } = recorder();
      await sendSignInLink(t.db.prisma, { email, now }, settings, deliver);
      return new URL(sent[0]?.url ?? "").searchParams.get("token") ?? "";
    }

    it("says valid for a fresh link, without using it up", async () => {
      const token = await issue("dana@example.com");
      for (let i = 0; i < 3; i++) expect(await inspectSignInLink(t.db.prisma, { email: "dana@example.com", token }, settings.authSecret)).toBe("valid");
    });

    it("says expired once the lifetime has passed", async () => {
      const token = await issue("dana@example.com", new Date(Date.now() - 901_000));
      expect(await inspectSignInLink(t.db.prisma, { email: "dana@example.com", token }, settings.authSecret)).toBe("expired");
    });

    it("says invalid for a used, altered, malformed or misaddressed link", async () => {
      const token = await issue("dana@example.com");
      expect(await inspectSignInLink(t.db.prisma, { email: "sam@example.com", token }, settings.authSecret)).toBe("invalid");
      const altered = token.replace(/.$/, (last) => (last === "0" ? "1" : "0"));
      expect(await inspectSignInLink(t.db.prisma, { email: "dana@example.com", token: altered }, settings.authSecret)).toBe("invalid");
      expect(await inspectSignInLink(t.db.prisma, { email: "dana@example.com", token: "not-a-token" }, settings.authSecret)).toBe("invalid");
      expect(await inspectSignInLink(t.db.prisma, { email: null, token }, settings.authSecret)).toBe("invalid");
      expect(await inspectSignInLink(t.db.prisma, { email: "dana@example.com", token }, "another-secret")).toBe("invalid");
      // Auth.js deletes the row when it uses the token.
      await t.db.prisma.verificationToken.delete({ where: { token: hashSignInToken(token, settings.authSecret) } });
      expect(await inspectSignInLink(t.db.prisma, { email: "dana@example.com", token }, settings.authSecret)).toBe("invalid");
    });
  });

  describe("requestSignInLink", () => {
    // The limiters are process-wide; the fixed addresses start each test with a clean count.
    beforeEach(async () => {
      for (const email of ["dana@example.com", "sam@example.com"]) await resetRateLimit(SIGN_IN_LINK_LIMITS.perEmail, email);
    });

    it("answers the same for an account and for an unknown address, and mails only the account", async () => {
      const { sent, deliver } = recorder();
      const known = await requestSignInLink(t.db.prisma, { email: "sam@example.com", next: null, ip: freshIp() }, settings, { deliver });
      const unknown = await requestSignInLink(t.db.prisma, { email: `nobody-${randomUUID()}@example.com`, next: null, ip: freshIp() }, settings, { deliver });
      expect(unknown).toEqual(known);
      expect(known).toEqual({ status: "accepted" });
      expect(sent.map((s) => s.to)).toEqual(["sam@example.com"]);
    });

    it("sends after the answer when given a deferral, so timing does not tell accounts apart", async () => {
      const { sent, deliver } = recorder();
      const deferred: (() => Promise<void>)[] = [];
      const result = await requestSignInLink(t.db.prisma, { email: "sam@example.com", next: null, ip: freshIp() }, settings, {
        deliver,
        defer: (task) => deferred.push(task),
      });
      expect(result).toEqual({ status: "accepted" });
      expect(sent).toEqual([]);
      expect(deferred).toHaveLength(1);
      await deferred[0]?.();
      expect(sent.map((s) => s.to)).toEqual(["sam@example.com"]);
    });

    it("does not fail the request when the mail cannot be sent (the failure is logged)", async () => {
      const failing = vi.fn<DeliverSignInLink>(async () => {
        throw new Error("SMTP down");
      });
      const result = await requestSignInLink(t.db.prisma, { email: "sam@example.com", next: null, ip: freshIp() }, settings, { deliver: failing });
      expect(result).toEqual({ status: "accepted" });
      expect(failing).toHaveBeenCalledOnce();
    });

    it(`allows ${SIGN_IN_LINK_LIMITS.perEmail.points} links per address per window, for accounts and unknown addresses alike`, async () => {
      for (const email of ["dana@example.com", `nobody-${randomUUID()}@example.com`]) {
        const { sent, deliver } = recorder();
        const results = [];
        // A different IP each time: the per-address limit holds across clients.
        for (let i = 0; i <= SIGN_IN_LINK_LIMITS.perEmail.points; i++) {
          results.push(await requestSignInLink(t.db.prisma, { email, next: null, ip: freshIp() }, settings, { deliver }));
        }
        expect(results.slice(0, -1).every((r) => r.status === "accepted")).toBe(true);
        const last = results.at(-1);
        expect(last?.status).toBe("rate_limited");
        if (last?.status === "rate_limited") expect(last.retryAfterSeconds).toBeGreaterThan(SIGN_IN_LINK_LIMITS.perEmail.durationSeconds - 60);
        expect(sent.length).toBe(email === "dana@example.com" ? SIGN_IN_LINK_LIMITS.perEmail.points : 0);
      }
    });

    it(`allows ${SIGN_IN_LINK_LIMITS.perIp.points} requests per client IP per window, whatever the addresses`, async () => {
      const ip = freshIp();
      const { deliver } = recorder();
      for (let i = 0; i < SIGN_IN_LINK_LIMITS.perIp.points; i++) {
        expect((await requestSignInLink(t.db.prisma, { email: `probe-${i}-${randomUUID()}@example.com`, next: null, ip }, settings, { deliver })).status).toBe(
          "accepted",
        );
      }
      const refused = await requestSignInLink(t.db.prisma, { email: `probe-last-${randomUUID()}@example.com`, next: null, ip }, settings, { deliver });
      expect(refused.status).toBe("rate_limited");
      // Another client is not affected.
      expect(
        (await requestSignInLink(t.db.prisma, { email: `probe-other-${randomUUID()}@example.com`, next: null, ip: freshIp() }, settings, { deliver })).status,
      ).toBe("accepted");
    });

    // Two instances: two limiters on their own Redis connections, taking turns as the process's limiter.
    it.skipIf(!redisUp)("holds the per-address limit across instances sharing Redis [redis]", async () => {
      const prefix = uniquePrefix("sign-in");
      const clients = [testClient("sign-in-instance-a"), testClient("sign-in-instance-b")];
      const instances = clients.map((redis) => new KeyRateLimiter({ redis, prefix }));
      try {
        const { sent, deliver } = recorder();
        const results = [];
        for (let i = 0; i <= SIGN_IN_LINK_LIMITS.perEmail.points; i++) {
          setKeyRateLimiter(instances[i % instances.length]);
          results.push(await requestSignInLink(t.db.prisma, { email: "dana@example.com", next: null, ip: freshIp() }, settings, { deliver }));
        }
        expect(results.slice(0, -1).every((r) => r.status === "accepted")).toBe(true);
        expect(results.at(-1)?.status).toBe("rate_limited");
        expect(sent.length).toBe(SIGN_IN_LINK_LIMITS.perEmail.points);
      } finally {
        setKeyRateLimiter(undefined);
        await deleteKeys(clients[0]!, prefix);
        await Promise.all(clients.map(closeClient));
      }
    });

    it("applies the per-address limit alone when the client IP is unknown", async () => {
      const { deliver } = recorder();
      for (let i = 0; i < SIGN_IN_LINK_LIMITS.perIp.points + 1; i++) {
        expect(
          (await requestSignInLink(t.db.prisma, { email: `no-ip-${i}-${randomUUID()}@example.com`, next: null, ip: null }, settings, { deliver })).status,
        ).toBe("accepted");
      }
    });
  });
});
