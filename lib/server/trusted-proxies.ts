/**
 * `TRUSTED_PROXIES`: the peers whose `X-Forwarded-For` (and `X-Forwarded-Host`/`-Proto`,
 * `Forwarded`) the server believes.
 *
 * Syntax: a comma-separated list; whitespace around entries and empty entries are ignored.
 * Each entry is one of
 * - an IPv4 or IPv6 address (`10.1.2.3`, `::1`), meaning that single host;
 * - a CIDR (`10.0.0.0/8`, `2001:db8::/32`); host bits may be set (`10.1.2.3/8` is `10.0.0.0/8`);
 * - `loopback`: 127.0.0.0/8 and ::1/128;
 * - `private`: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 and fc00::/7 (IPv6 unique local).
 * The words are case-insensitive. IPv4-mapped IPv6 (`::ffff:10.0.0.1`, `::ffff:10.0.0.0/104`) is
 * read as the IPv4 address or range it maps. IPv4 must be written as four decimal parts: forms
 * such as `127.1`, `0x7f.0.0.1` or `010.0.0.1` are rejected because tools disagree on what they
 * mean. Unset or empty trusts nobody: every client IP is the socket's peer address.
 *
 * `parseTrustedProxies` never throws; on bad input it returns `{ ok: false, error }` naming every
 * bad entry (`invalid entry "10.0.0.300" (not a valid IPv4 address …); expected …`, worded to
 * follow a `TRUSTED_PROXIES: ` prefix), so the config schema can surface it, e.g.
 * `z.string().default("").transform((v, ctx) => { const r = parseTrustedProxies(v);
 *   if (!r.ok) { ctx.addIssue({ code: "custom", message: r.error }); return z.NEVER; }
 *   return r.matcher; })`.
 *
 * No `server-only` import here: server.ts loads this module outside Next's bundler.
 */
import ipaddr from "ipaddr.js";

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

export interface TrustedProxies {
  /** Whether the address (text or parsed) lies in a trusted range. Invalid text is never trusted. */
  contains(address: string | IpAddress): boolean;
  /** True when nothing is trusted (the default). */
  readonly isEmpty: boolean;
  /** The normalised ranges, e.g. `["127.0.0.0/8", "::1/128"]`, for the start-up log. */
  readonly ranges: readonly string[];
}

export type TrustedProxiesParseResult = { ok: true; matcher: TrustedProxies } | { ok: false; error: string };

type V4Range = [ipaddr.IPv4, number];
type V6Range = [ipaddr.IPv6, number];
type AnyRange = V4Range | V6Range;

// A Map, not an object literal: an entry such as "__proto__" or "constructor" must not find
// Object's own properties.
const KEYWORDS: ReadonlyMap<string, readonly string[]> = new Map([
  ["loopback", ["127.0.0.0/8", "::1/128"]],
  ["private", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]],
]);

/**
 * Strictly parses one IP address and normalises it: an IPv4-mapped IPv6 address becomes the IPv4
 * address (a dual-stack socket reports IPv4 peers as `::ffff:a.b.c.d`), and an IPv6 zone id
 * (`fe80::1%eth0`) is dropped because it names a local interface, not a host. Returns null for
 * anything else, including the lenient IPv4 forms ipaddr.js would otherwise accept.
 */
export function parseIpAddress(text: string): IpAddress | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!ipaddr.IPv6.isValid(text)) return null;
  const v6 = ipaddr.IPv6.parse(text);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  return v6.zoneId === undefined ? v6 : new ipaddr.IPv6(v6.parts);
}

/** Canonical text of a normalised address: dotted IPv4, or RFC 5952 IPv6 (`2001:db8::1`). */
export function formatIpAddress(address: IpAddress): string {
  return address.kind() === "ipv4" ? address.toString() : (address as ipaddr.IPv6).toRFC5952String();
}

/** Parses and formats in one step; null when the text is not a valid address. */
export function normalizeIpAddress(text: string): string | null {
  const address = parseIpAddress(text);
  return address === null ? null : formatIpAddress(address);
}

function parseRange(entry: string): AnyRange | string {
  const slash = entry.indexOf("/");
  const addressText = slash === -1 ? entry : entry.slice(0, slash);
  const prefixText = slash === -1 ? null : entry.slice(slash + 1);

  if (ipaddr.IPv4.isValidFourPartDecimal(addressText)) {
    const prefix = prefixText === null ? 32 : parsePrefix(prefixText, 32);
    if (typeof prefix === "string") return prefix;
    return [ipaddr.IPv4.parse(addressText), prefix];
  }
  if (ipaddr.IPv6.isValid(addressText)) {
    const prefix = prefixText === null ? 128 : parsePrefix(prefixText, 128);
    if (typeof prefix === "string") return prefix;
    const v6 = ipaddr.IPv6.parse(addressText);
    if (v6.isIPv4MappedAddress()) {
      // Peers are normalised to IPv4 before matching, so a mapped range must become an IPv4 one.
      if (prefix < 96) return "an IPv4-mapped range needs a prefix of /96 or longer";
      return [v6.toIPv4Address(), prefix - 96];
    }
    return [new ipaddr.IPv6(v6.parts), prefix];
  }
  if (/^\d+(\.\d+){0,3}$/.test(addressText) || /^0x/i.test(addressText)) {
    return "not a valid IPv4 address (four decimal parts 0-255 without leading zeros, like 10.0.0.1)";
  }
  return "not an IP address or CIDR";
}

function parsePrefix(text: string, max: number): number | string {
  if (!/^\d{1,3}$/.test(text)) return `"/${text}" is not a prefix length`;
  const prefix = Number(text);
  if (prefix > max) return `prefix length /${prefix} is out of range (0-${max} for IPv${max === 32 ? 4 : 6})`;
  return prefix;
}

function networkText([address, prefix]: AnyRange): string {
  const network =
    address.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  return `${formatIpAddress(network)}/${prefix}`;
}

class RangeMatcher implements TrustedProxies {
  readonly ranges: readonly string[];
  readonly isEmpty: boolean;

  constructor(
    private readonly v4: readonly V4Range[],
    private readonly v6: readonly V6Range[],
  ) {
    this.ranges = [...new Set([...v4, ...v6].map(networkText))];
    this.isEmpty = v4.length === 0 && v6.length === 0;
  }

  contains(address: string | IpAddress): boolean {
    if (this.isEmpty) return false;
    const parsed = typeof address === "string" ? parseIpAddress(address) : normalizeParsed(address);
    if (parsed === null) return false;
    // ipaddr.js throws when kinds differ, so each kind is matched only against its own ranges.
    if (parsed.kind() === "ipv4") {
      const v4 = parsed as ipaddr.IPv4;
      return this.v4.some((range) => v4.match(range));
    }
    const v6 = parsed as ipaddr.IPv6;
    return this.v6.some((range) => v6.match(range));
  }
}

function normalizeParsed(address: IpAddress): IpAddress {
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (address as ipaddr.IPv6).toIPv4Address();
  }
  return address;
}

/** Trusts nobody: the value to use when `TRUSTED_PROXIES` is unset. */
export const NO_TRUSTED_PROXIES: TrustedProxies = new RangeMatcher([], []);

/** Parses a `TRUSTED_PROXIES` value (syntax at the top of this file). Never throws. */
export function parseTrustedProxies(value: string | undefined): TrustedProxiesParseResult {
  const v4: V4Range[] = [];
  const v6: V6Range[] = [];
  const problems: string[] = [];

  const add = (range: AnyRange) => {
    if (range[0].kind() === "ipv4") v4.push(range as V4Range);
    else v6.push(range as V6Range);
  };

  for (const raw of (value ?? "").split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const keyword = KEYWORDS.get(entry.toLowerCase());
    if (keyword !== undefined) {
      for (const cidr of keyword) add(parseRange(cidr) as AnyRange);
      continue;
    }
    const range = parseRange(entry);
    if (typeof range === "string") problems.push(`"${entry}" (${range})`);
    else add(range);
  }

  if (problems.length > 0) {
    const subject = problems.length === 1 ? "invalid entry" : "invalid entries";
    return {
      ok: false,
      error:
        `${subject} ${problems.join(", ")}; expected comma-separated IP ` +
        'addresses or CIDRs (e.g. 10.0.0.0/8, 2001:db8::/32) or the words "loopback", "private".',
    };
  }
  return { ok: true, matcher: new RangeMatcher(v4, v6) };
}

/** Error thrown by `trustedProxiesOrThrow`; `message` is the same text `parseTrustedProxies` returns. */
export class TrustedProxiesError extends Error {
  override readonly name = "TrustedProxiesError";
}

/** Throwing variant for callers outside a zod schema (scripts, tests). */
export function trustedProxiesOrThrow(value: string | undefined): TrustedProxies {
  const result = parseTrustedProxies(value);
  if (!result.ok) throw new TrustedProxiesError(result.error);
  return result.matcher;
}
