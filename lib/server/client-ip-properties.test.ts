import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyClientIp, CLIENT_IP_HEADER, parseForwardedHop, resolveClientIp } from "./client-ip";
import { normalizeIpAddress, parseTrustedProxies, trustedProxiesOrThrow } from "./trusted-proxies";

// Property tests of the client-IP decision (TRUSTED_PROXIES and X-Forwarded-For): whatever a
// client writes in its headers, it cannot choose the IP the application sees.

const RUNS = { numRuns: 200 };
// Proxies in 10.0.0.0/8 and fd00::/8; every generated client address lies outside them.
const TRUSTED = trustedProxiesOrThrow("10.0.0.0/8, fd00::/8");

const v4 = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }));
const clientV4 = v4.filter(([a]) => a !== 10).map((p) => p.join("."));
const proxyV4 = v4.map(([, b, c, d]) => `10.${b}.${c}.${d}`);
const clientV6 = fc.ipV6().filter((ip) => {
  const normal = normalizeIpAddress(ip);
  return normal !== null && !TRUSTED.contains(normal);
});
const clientIp = fc.oneof(clientV4, clientV6);
/** Whatever a client may write as a hop: addresses, junk, ports, brackets, other headers' syntax. */
const anyHop = fc.oneof(
  clientIp,
  proxyV4,
  fc.string({ maxLength: 40 }),
  fc.constant("unknown"),
  clientV4.map((ip) => `${ip}:443`),
  fc.ipV6().map((ip) => `[${ip}]:8080`),
);

function fakeRequest(remoteAddress: string | undefined, headers: IncomingHttpHeaders): IncomingMessage {
  return { headers: { ...headers }, socket: { remoteAddress } as Socket } as IncomingMessage;
}

describe("client IP and trusted proxies (properties)", () => {
  it("from a peer that is not a trusted proxy, the peer is the client whatever X-Forwarded-For says", () => {
    fc.assert(
      fc.property(clientIp, fc.array(anyHop, { maxLength: 8 }), (peer, hops) => {
        expect(resolveClientIp(peer, hops.join(", "), TRUSTED)).toBe(normalizeIpAddress(peer));
      }),
      RUNS,
    );
  });

  it("behind trusted proxies, the client is the rightmost untrusted hop: what the client wrote to the left of it counts for nothing", () => {
    fc.assert(
      fc.property(fc.array(anyHop, { maxLength: 6 }), clientIp, fc.array(proxyV4, { maxLength: 4 }), proxyV4, (forged, real, proxies, peer) => {
        const header = [...forged, real, ...proxies].join(",");
        expect(resolveClientIp(peer, header, TRUSTED)).toBe(normalizeIpAddress(real));
        // The same list split over several header lines.
        expect(
          resolveClientIp(
            peer,
            [[...forged, real].join(","), proxies.join(",")].filter((l) => l !== ""),
            TRUSTED,
          ),
        ).toBe(normalizeIpAddress(real));
      }),
      RUNS,
    );
  });

  it("always answers a canonical address (the peer or a hop), or null only without a usable socket address", () => {
    fc.assert(
      fc.property(fc.oneof(clientIp, proxyV4, fc.string({ maxLength: 30 })), fc.array(anyHop, { maxLength: 8 }), (peer, hops) => {
        const ip = resolveClientIp(peer, hops.join(","), TRUSTED);
        if (normalizeIpAddress(peer) === null) {
          expect(ip).toBeNull();
          return;
        }
        expect(ip).not.toBeNull();
        expect(normalizeIpAddress(ip!)).toBe(ip);
        const candidates = [peer, ...hops].map((h) => parseForwardedHop(h)).filter((a) => a !== null);
        expect(candidates.some((a) => normalizeIpAddress(a.toString()) === ip)).toBe(true);
      }),
      RUNS,
    );
  });

  it("no header a client sends survives as the application's client IP or as a server-only header", () => {
    const headerName = fc.oneof(
      fc.constantFrom(
        "x-forwarded-for",
        "x-real-ip",
        "forwarded",
        "x-forwarded-host",
        "x-forwarded-proto",
        "true-client-ip",
        "cf-connecting-ip",
        CLIENT_IP_HEADER,
      ),
      fc.stringMatching(/^x-gatehouse-[a-z-]{1,12}$/),
    );
    fc.assert(
      fc.property(clientIp, fc.dictionary(headerName, anyHop, { maxKeys: 8 }), (peer, sent) => {
        const req = fakeRequest(peer, sent);
        const ip = applyClientIp(req, TRUSTED);
        expect(ip).toBe(normalizeIpAddress(peer));
        expect(req.headers[CLIENT_IP_HEADER]).toBe(ip);
        expect(req.headers["x-forwarded-for"]).toBe(ip);
        expect(req.headers["x-real-ip"]).toBe(ip);
        for (const name of Object.keys(req.headers)) {
          if (name.startsWith("x-gatehouse-")) expect(name).toBe(CLIENT_IP_HEADER);
          expect(name.startsWith("x-forwarded-") && name !== "x-forwarded-for").toBe(false);
          expect(["forwarded", "true-client-ip", "cf-connecting-ip"]).not.toContain(name);
        }
      }),
      RUNS,
    );
  });

  it("never throws on any X-Forwarded-For entry or TRUSTED_PROXIES value", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        const hop = parseForwardedHop(text);
        if (hop !== null) expect(normalizeIpAddress(hop.toString())).not.toBeNull();
        const parsed = parseTrustedProxies(text);
        if (!parsed.ok) expect(parsed.error).toMatch(/invalid entr/);
      }),
      { numRuns: 500 },
    );
  });

  it("copes with an overlong X-Forwarded-For (thousands of hops) quickly", () => {
    const hops = Array.from({ length: 20_000 }, (_, i) => `10.0.${(i >> 8) & 255}.${i & 255}`);
    const start = performance.now();
    expect(resolveClientIp("10.0.0.1", ["203.0.113.5", ...hops].join(","), TRUSTED)).toBe("203.0.113.5");
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});
