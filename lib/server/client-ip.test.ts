import { once } from "node:events";
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import type { AddressInfo, Socket } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import { applyClientIp, CLIENT_IP_HEADER, clientIpFromHeaders, parseForwardedHop, resolveClientIp } from "./client-ip";
import { NO_TRUSTED_PROXIES, trustedProxiesOrThrow, type TrustedProxies } from "./trusted-proxies";

const LOCALHOST = trustedProxiesOrThrow("127.0.0.1/32");

describe("resolveClientIp", () => {
  it("ignores X-Forwarded-For from an untrusted peer", () => {
    expect(resolveClientIp("198.51.100.7", "1.2.3.4", NO_TRUSTED_PROXIES)).toBe("198.51.100.7");
    expect(resolveClientIp("198.51.100.7", "1.2.3.4", LOCALHOST)).toBe("198.51.100.7");
    expect(resolveClientIp("198.51.100.7", undefined, LOCALHOST)).toBe("198.51.100.7");
  });

  it("takes the rightmost hop behind a trusted peer", () => {
    expect(resolveClientIp("127.0.0.1", "203.0.113.9", LOCALHOST)).toBe("203.0.113.9");
    // The client forged the left entries; only the hop our proxy appended counts.
    expect(resolveClientIp("127.0.0.1", "6.6.6.6, 7.7.7.7, 203.0.113.9", LOCALHOST)).toBe("203.0.113.9");
  });

  it("uses the peer when a trusted peer sends no or an empty X-Forwarded-For", () => {
    expect(resolveClientIp("127.0.0.1", undefined, LOCALHOST)).toBe("127.0.0.1");
    expect(resolveClientIp("127.0.0.1", "", LOCALHOST)).toBe("127.0.0.1");
    expect(resolveClientIp("127.0.0.1", "  ", LOCALHOST)).toBe("127.0.0.1");
  });

  it("skips every trusted hop in a chain", () => {
    const trusted = trustedProxiesOrThrow("127.0.0.1, 10.0.0.0/8, 2001:db8:ffff::/48");
    expect(resolveClientIp("127.0.0.1", "6.6.6.6, 198.51.100.20, 10.1.0.5, 10.2.0.6", trusted)).toBe("198.51.100.20");
    expect(resolveClientIp("10.9.9.9", "6.6.6.6, 2001:db8::42, 2001:db8:ffff::1", trusted)).toBe("2001:db8::42");
  });

  it("returns the leftmost hop when every hop is trusted", () => {
    const trusted = trustedProxiesOrThrow("private, loopback");
    expect(resolveClientIp("127.0.0.1", "10.0.0.1, 192.168.1.1", trusted)).toBe("10.0.0.1");
  });

  it("joins repeated header lines in order", () => {
    expect(resolveClientIp("127.0.0.1", ["6.6.6.6", "203.0.113.9"], LOCALHOST)).toBe("203.0.113.9");
  });

  it("handles IPv6 and IPv4-mapped peers and hops", () => {
    const v6 = trustedProxiesOrThrow("::1");
    expect(resolveClientIp("::1", "2001:db8::7", v6)).toBe("2001:db8::7");
    expect(resolveClientIp("::1", "[2001:db8::7]:4711", v6)).toBe("2001:db8::7");
    expect(resolveClientIp("2001:0db8:0000::0001", "9.9.9.9", v6)).toBe("2001:db8::1");
    // A dual-stack listener reports IPv4 peers in mapped form.
    expect(resolveClientIp("::ffff:127.0.0.1", "203.0.113.9", LOCALHOST)).toBe("203.0.113.9");
    expect(resolveClientIp("::ffff:198.51.100.1", "203.0.113.9", LOCALHOST)).toBe("198.51.100.1");
    expect(resolveClientIp("127.0.0.1", "::ffff:203.0.113.9", LOCALHOST)).toBe("203.0.113.9");
    expect(resolveClientIp("127.0.0.1", "203.0.113.9:51234", LOCALHOST)).toBe("203.0.113.9");
  });

  it("stops at a garbage entry and falls back to the last valid hop", () => {
    const trusted = trustedProxiesOrThrow("127.0.0.1, 10.0.0.0/8");
    // Rightmost entry is junk: nothing beyond the peer can be believed.
    expect(resolveClientIp("127.0.0.1", "203.0.113.9, garbage", trusted)).toBe("127.0.0.1");
    expect(resolveClientIp("127.0.0.1", "203.0.113.9, unknown", trusted)).toBe("127.0.0.1");
    // Junk behind a trusted hop: the trusted hop is the last valid one.
    expect(resolveClientIp("127.0.0.1", "203.0.113.9, 0x7f.1, 10.0.0.4", trusted)).toBe("10.0.0.4");
    expect(resolveClientIp("127.0.0.1", "203.0.113.9, , 10.0.0.4", trusted)).toBe("10.0.0.4");
    // Junk left of the first untrusted hop is never reached.
    expect(resolveClientIp("127.0.0.1", "<script>, 203.0.113.9", trusted)).toBe("203.0.113.9");
    expect(resolveClientIp("127.0.0.1", "203.0.113.9, 10.0.0.4, 999.1.1.1", trusted)).toBe("127.0.0.1");
  });

  it("returns null without a usable socket address", () => {
    expect(resolveClientIp(undefined, "1.2.3.4", LOCALHOST)).toBeNull();
    expect(resolveClientIp("not-an-ip", "1.2.3.4", LOCALHOST)).toBeNull();
  });
});

describe("parseForwardedHop", () => {
  it("accepts addresses with optional ports and brackets only", () => {
    expect(parseForwardedHop(" 192.0.2.1 ")?.toString()).toBe("192.0.2.1");
    expect(parseForwardedHop("192.0.2.1:8080")?.toString()).toBe("192.0.2.1");
    expect(parseForwardedHop("[2001:db8::1]")?.toString()).toBe("2001:db8::1");
    for (const bad of ["", "unknown", "_hidden", "[192.0.2.1]", "2001:db8::1:80:", "192.0.2.1:", "127.1"]) {
      expect(parseForwardedHop(bad), bad).toBeNull();
    }
  });
});

describe("clientIpFromHeaders", () => {
  it("reads and validates the internal header", () => {
    expect(clientIpFromHeaders(new Headers({ [CLIENT_IP_HEADER]: "203.0.113.9" }))).toBe("203.0.113.9");
    expect(clientIpFromHeaders(new Headers({ [CLIENT_IP_HEADER]: "::ffff:203.0.113.9" }))).toBe("203.0.113.9");
    expect(clientIpFromHeaders(new Headers({ [CLIENT_IP_HEADER]: "junk" }))).toBeNull();
    expect(clientIpFromHeaders(new Headers())).toBeNull();
  });
});

function fakeRequest(remoteAddress: string | undefined, headers: IncomingHttpHeaders): IncomingMessage {
  return { headers: { ...headers }, socket: { remoteAddress } as Socket } as IncomingMessage;
}

describe("applyClientIp", () => {
  const forged: IncomingHttpHeaders = {
    host: "gatehouse.example",
    "x-forwarded-for": "6.6.6.6, 203.0.113.9",
    "x-real-ip": "6.6.6.6",
    "x-gatehouse-client-ip": "6.6.6.6",
    "x-gatehouse-user": "admin",
    forwarded: "for=6.6.6.6;host=evil.example;proto=https",
    "x-forwarded-host": "evil.example",
    "x-forwarded-proto": "https",
    "x-forwarded-port": "443",
    "cf-connecting-ip": "6.6.6.6",
    "user-agent": "test",
  };

  it("overwrites and strips forwarding headers from an untrusted peer", () => {
    const req = fakeRequest("198.51.100.7", forged);
    expect(applyClientIp(req, LOCALHOST)).toBe("198.51.100.7");
    expect(req.headers).toEqual({
      host: "gatehouse.example",
      "x-forwarded-for": "198.51.100.7",
      "x-real-ip": "198.51.100.7",
      [CLIENT_IP_HEADER]: "198.51.100.7",
      "user-agent": "test",
    });
  });

  it("keeps host and proto from a trusted proxy but still replaces internal headers", () => {
    const req = fakeRequest("::ffff:127.0.0.1", forged);
    expect(applyClientIp(req, LOCALHOST)).toBe("203.0.113.9");
    expect(req.headers).toEqual({
      host: "gatehouse.example",
      "x-forwarded-for": "203.0.113.9",
      "x-real-ip": "203.0.113.9",
      [CLIENT_IP_HEADER]: "203.0.113.9",
      forwarded: "for=6.6.6.6;host=evil.example;proto=https",
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "https",
      "x-forwarded-port": "443",
      "cf-connecting-ip": "6.6.6.6",
      "user-agent": "test",
    });
  });

  it("resolves each request on a kept-alive connection from its own X-Forwarded-For", () => {
    const socket = { remoteAddress: "127.0.0.1" } as Socket;
    const on = (xff: string | undefined, from: Socket = socket) =>
      ({ headers: xff === undefined ? {} : { "x-forwarded-for": xff }, socket: from }) as unknown as IncomingMessage;
    expect(applyClientIp(on("203.0.113.9"), LOCALHOST)).toBe("203.0.113.9");
    expect(applyClientIp(on("203.0.113.9"), LOCALHOST)).toBe("203.0.113.9");
    expect(applyClientIp(on("198.51.100.7"), LOCALHOST)).toBe("198.51.100.7");
    expect(applyClientIp(on(undefined), LOCALHOST)).toBe("127.0.0.1");
    const untrusted = { remoteAddress: "192.0.2.1" } as Socket;
    expect(applyClientIp(on("203.0.113.9", untrusted), LOCALHOST)).toBe("192.0.2.1");
  });

  it("removes the client IP headers when the socket address is gone", () => {
    const req = fakeRequest(undefined, forged);
    expect(applyClientIp(req, LOCALHOST)).toBeNull();
    expect(req.headers["x-forwarded-for"]).toBeUndefined();
    expect(req.headers["x-real-ip"]).toBeUndefined();
    expect(req.headers[CLIENT_IP_HEADER]).toBeUndefined();
    expect(req.headers["x-forwarded-host"]).toBeUndefined();
  });
});

describe("applyClientIp on a real node:http server", () => {
  const servers: http.Server[] = [];

  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  });

  async function startEcho(trusted: TrustedProxies, host = "127.0.0.1"): Promise<number> {
    const server = http.createServer((req, res) => {
      const clientIp = applyClientIp(req, trusted);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ clientIp, peer: req.socket.remoteAddress, headers: req.headers }));
    });
    servers.push(server);
    server.listen(0, host);
    await once(server, "listening");
    return (server.address() as AddressInfo).port;
  }

  interface Echo {
    clientIp: string | null;
    peer: string;
    headers: IncomingHttpHeaders;
  }

  function get(port: number, headers: OutgoingHttpHeaders): Promise<Echo> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path: "/", headers, agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve(JSON.parse(body) as Echo));
      });
      req.on("error", reject);
      req.end();
    });
  }

  const forgedHeaders: OutgoingHttpHeaders = {
    "X-Forwarded-For": "203.0.113.66",
    "X-Gatehouse-Client-Ip": "203.0.113.66",
    "X-Real-IP": "203.0.113.66",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "https",
  };

  it("sees 127.0.0.1 when nothing is trusted, whatever the client claims", async () => {
    const port = await startEcho(NO_TRUSTED_PROXIES);
    const echo = await get(port, forgedHeaders);
    expect(echo.peer).toBe("127.0.0.1");
    expect(echo.clientIp).toBe("127.0.0.1");
    expect(echo.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(echo.headers["x-real-ip"]).toBe("127.0.0.1");
    expect(echo.headers[CLIENT_IP_HEADER]).toBe("127.0.0.1");
    expect(echo.headers["x-forwarded-host"]).toBeUndefined();
    expect(echo.headers["x-forwarded-proto"]).toBeUndefined();
  });

  it("sees the forwarded hop when 127.0.0.1/32 is trusted", async () => {
    const port = await startEcho(LOCALHOST);
    const echo = await get(port, forgedHeaders);
    expect(echo.clientIp).toBe("203.0.113.66");
    expect(echo.headers["x-forwarded-for"]).toBe("203.0.113.66");
    expect(echo.headers[CLIENT_IP_HEADER]).toBe("203.0.113.66");
    expect(echo.headers["x-forwarded-host"]).toBe("evil.example");
    expect(echo.headers["x-forwarded-proto"]).toBe("https");
  });

  it("walks repeated X-Forwarded-For lines sent by a trusted peer", async () => {
    const port = await startEcho(trustedProxiesOrThrow("127.0.0.1, 10.0.0.0/8"));
    const echo = await get(port, { "X-Forwarded-For": ["6.6.6.6, 198.51.100.3", "10.0.0.9"] });
    expect(echo.clientIp).toBe("198.51.100.3");
    expect(echo.headers["x-forwarded-for"]).toBe("198.51.100.3");
  });

  it("removes a forged internal header even without X-Forwarded-For", async () => {
    const port = await startEcho(LOCALHOST);
    const echo = await get(port, { "X-Gatehouse-Client-Ip": "6.6.6.6", "X-Gatehouse-Role": "ADMIN" });
    expect(echo.clientIp).toBe("127.0.0.1");
    expect(echo.headers[CLIENT_IP_HEADER]).toBe("127.0.0.1");
    expect(echo.headers["x-gatehouse-role"]).toBeUndefined();
  });

  it("normalises the IPv4-mapped peer of a dual-stack listener", async (ctx) => {
    let port: number;
    try {
      port = await startEcho(LOCALHOST, "::");
    } catch {
      ctx.skip();
      return;
    }
    const echo = await get(port, forgedHeaders);
    expect(echo.peer).toBe("::ffff:127.0.0.1");
    expect(echo.clientIp).toBe("203.0.113.66");
  });
});
