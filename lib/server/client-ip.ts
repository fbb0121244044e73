/**
 * Client IP resolution for the custom server, applied to every request before Next sees it.
 *
 * Next only fills `X-Forwarded-For` when the request lacks one, so without this step any client
 * could claim any IP. Here the socket peer decides: unless it is a trusted proxy, the client IP is
 * the peer address and every forwarding header the client sent is discarded or overwritten.
 *
 * The application reads exactly one header, `x-gatehouse-client-ip` (see `clientIpFromHeaders`).
 * Every header starting with `x-gatehouse-` is reserved for the server and removed from incoming
 * requests, whoever the peer, so no client or proxy can inject one.
 *
 * No `server-only` import here: server.ts loads this module outside Next's bundler.
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

import { formatIpAddress, normalizeIpAddress, parseIpAddress, type IpAddress, type TrustedProxies } from "./trusted-proxies";

/** The one header the application trusts for the client IP. */
export const CLIENT_IP_HEADER = "x-gatehouse-client-ip";

/** Prefix of headers only the server may set; incoming ones are always removed. */
export const INTERNAL_HEADER_PREFIX = "x-gatehouse-";

/**
 * Headers that describe the original request (host, scheme, port, client) and are believed only
 * from a trusted proxy. `x-forwarded-for` and `x-real-ip` are not listed: they are always
 * rewritten to the resolved IP. The client-IP headers of common CDNs are included so that no
 * library that happens to read them can be fooled by a direct client.
 */
const PROXY_ONLY_HEADERS = ["forwarded", "true-client-ip", "cf-connecting-ip", "fastly-client-ip", "x-client-ip", "x-cluster-client-ip"] as const;
const PROXY_ONLY_PREFIX = "x-forwarded-";

/**
 * Parses one `X-Forwarded-For` hop. Accepts a bare address, and for robustness the forms some
 * proxies write with a port (`1.2.3.4:5678`, `[2001:db8::1]:443`) or brackets (`[2001:db8::1]`);
 * the port is dropped. Anything else (`unknown`, obfuscated identifiers, junk) is null.
 */
export function parseForwardedHop(entry: string): IpAddress | null {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) {
    const inner = bracketed[1] ?? "";
    return inner.includes(":") ? parseIpAddress(inner) : null;
  }
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  return parseIpAddress(v4WithPort ? (v4WithPort[1] ?? "") : text);
}

function forwardedHops(header: string | readonly string[] | undefined): string[] {
  if (header === undefined) return [];
  // Several header lines form one list, in order (RFC 9110 section 5.3).
  const joined = typeof header === "string" ? header : header.join(",");
  if (joined.trim() === "") return [];
  return joined.split(",");
}

/**
 * Resolves the client IP with the rightmost-untrusted rule.
 *
 * - Peer not trusted (or nothing trusted): the peer address; `X-Forwarded-For` is ignored.
 * - Peer trusted: walk `X-Forwarded-For` from right to left, skipping trusted hops, and return the
 *   first untrusted one. Hops left of it were written by the client and prove nothing.
 * - An invalid hop stops the walk: the result is the last valid hop seen (the peer itself when
 *   the rightmost entry is invalid), since nothing beyond a malformed entry can be relied on.
 * - Every hop trusted: the leftmost one, the furthest address a trusted proxy vouched for.
 *
 * Returns the canonical text (IPv4-mapped IPv6 as IPv4), or null when the socket address is
 * missing or unparsable (the socket was already closed).
 */
export function resolveClientIp(
  socketAddress: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
  trusted: TrustedProxies,
): string | null {
  const peer = socketAddress === undefined ? null : parseIpAddress(socketAddress);
  if (peer === null) return null;
  if (!trusted.contains(peer)) return formatIpAddress(peer);

  let current = peer;
  const hops = forwardedHops(forwardedFor);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseForwardedHop(hops[i] ?? "");
    if (hop === null) break;
    current = hop;
    if (!trusted.contains(hop)) break;
  }
  return formatIpAddress(current);
}

function deleteHeaders(headers: IncomingHttpHeaders, matches: (name: string) => boolean): void {
  for (const name of Object.keys(headers)) {
    if (matches(name)) delete headers[name];
  }
}

const lastOnSocket = new WeakMap<
  object,
  { trusted: TrustedProxies; forwardedFor: string | readonly string[] | undefined; clientIp: string | null; peerTrusted: boolean }
>();

/**
 * Rewrites `req.headers` in place so that Next and the app see only vetted forwarding data:
 * - `x-forwarded-for`, `x-real-ip` and `x-gatehouse-client-ip` become exactly the resolved IP
 *   (all three are removed when the IP cannot be resolved);
 * - every incoming `x-gatehouse-*` header is removed;
 * - from an untrusted peer, `forwarded`, every other `x-forwarded-*` (host, proto, port, prefix…)
 *   and CDN client-IP headers are removed, so host and scheme come from the connection itself;
 *   from a trusted proxy they are kept.
 * Returns the resolved client IP.
 */
export function applyClientIp(req: IncomingMessage, trusted: TrustedProxies): string | null {
  const headers = req.headers;
  const forwardedFor = headers["x-forwarded-for"];
  // A keep-alive connection's requests come from one peer and, behind a proxy, mostly with the
  // same header: the last resolution on the socket is reused while both are the same.
  let resolved = lastOnSocket.get(req.socket);
  if (!resolved || resolved.trusted !== trusted || resolved.forwardedFor !== forwardedFor) {
    const socketAddress = req.socket.remoteAddress;
    resolved = {
      trusted,
      forwardedFor,
      clientIp: resolveClientIp(socketAddress, forwardedFor, trusted),
      peerTrusted: socketAddress !== undefined && trusted.contains(socketAddress),
    };
    lastOnSocket.set(req.socket, resolved);
  }
  const { clientIp, peerTrusted } = resolved;

  deleteHeaders(headers, (name) => name.startsWith(INTERNAL_HEADER_PREFIX));
  if (!peerTrusted) {
    const proxyOnly: readonly string[] = PROXY_ONLY_HEADERS;
    deleteHeaders(headers, (name) => name.startsWith(PROXY_ONLY_PREFIX) || proxyOnly.includes(name));
  }

  if (clientIp === null) {
    delete headers["x-forwarded-for"];
    delete headers["x-real-ip"];
  } else {
    headers["x-forwarded-for"] = clientIp;
    headers["x-real-ip"] = clientIp;
    headers[CLIENT_IP_HEADER] = clientIp;
  }
  return clientIp;
}

/**
 * The client IP as set by `applyClientIp`, for route handlers, server actions and `proxy.ts`
 * (pass `await headers()` or `request.headers`). Null when the request did not pass through the
 * custom server (e.g. plain `next start`) or the value is not an IP address.
 */
export function clientIpFromHeaders(headers: { get(name: string): string | null }): string | null {
  const value = headers.get(CLIENT_IP_HEADER);
  if (value === null) return null;
  // Every API request asks; the same few addresses come back again and again.
  let ip = recentIps.get(value);
  if (ip === undefined) {
    if (recentIps.size >= MAX_RECENT_IPS) recentIps.clear();
    ip = normalizeIpAddress(value.trim());
    recentIps.set(value, ip);
  }
  return ip;
}

const MAX_RECENT_IPS = 10_000;
const recentIps = new Map<string, string | null>();
