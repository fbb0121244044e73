import { describe, expect, it } from "vitest";

import {
  NO_TRUSTED_PROXIES,
  normalizeIpAddress,
  parseTrustedProxies,
  TrustedProxiesError,
  trustedProxiesOrThrow,
  type TrustedProxies,
} from "./trusted-proxies";

function matcher(value: string): TrustedProxies {
  const result = parseTrustedProxies(value);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(value)} to parse: ${result.error}`);
  return result.matcher;
}

function errorOf(value: string): string {
  const result = parseTrustedProxies(value);
  if (result.ok) throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
  return result.error;
}

describe("parseTrustedProxies", () => {
  it("trusts nobody when unset or empty", () => {
    for (const value of [undefined, "", "  ", " , ,"]) {
      const result = parseTrustedProxies(value);
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.matcher.isEmpty).toBe(true);
        expect(result.matcher.contains("127.0.0.1")).toBe(false);
      }
    }
    expect(NO_TRUSTED_PROXIES.contains("127.0.0.1")).toBe(false);
  });

  it("matches single addresses and CIDRs, IPv4 and IPv6", () => {
    const m = matcher(" 127.0.0.1 , 10.0.0.0/8,2001:db8::/32, ::1 ");
    expect(m.contains("127.0.0.1")).toBe(true);
    expect(m.contains("127.0.0.2")).toBe(false);
    expect(m.contains("10.255.1.2")).toBe(true);
    expect(m.contains("11.0.0.1")).toBe(false);
    expect(m.contains("2001:db8:1::5")).toBe(true);
    expect(m.contains("2001:db9::5")).toBe(false);
    expect(m.contains("::1")).toBe(true);
    expect(m.contains("::2")).toBe(false);
    expect(m.ranges).toEqual(["127.0.0.1/32", "10.0.0.0/8", "2001:db8::/32", "::1/128"]);
  });

  it("normalises IPv4-mapped IPv6 in peers and in the configuration", () => {
    const m = matcher("127.0.0.1/32");
    expect(m.contains("::ffff:127.0.0.1")).toBe(true);
    expect(m.contains("::ffff:7f00:1")).toBe(true);
    expect(m.contains("::ffff:127.0.0.2")).toBe(false);

    const mapped = matcher("::ffff:10.0.0.0/104");
    expect(mapped.ranges).toEqual(["10.0.0.0/8"]);
    expect(mapped.contains("10.1.2.3")).toBe(true);
    expect(mapped.contains("::ffff:10.1.2.3")).toBe(true);
    expect(mapped.contains("11.0.0.1")).toBe(false);
  });

  it("accepts host bits in a CIDR and reports the network", () => {
    const m = matcher("192.168.1.77/24");
    expect(m.ranges).toEqual(["192.168.1.0/24"]);
    expect(m.contains("192.168.1.200")).toBe(true);
    expect(m.contains("192.168.2.1")).toBe(false);
  });

  it("expands the words loopback and private, case-insensitively", () => {
    const loopback = matcher("Loopback");
    expect(loopback.contains("127.8.9.10")).toBe(true);
    expect(loopback.contains("::1")).toBe(true);
    expect(loopback.contains("10.0.0.1")).toBe(false);

    const priv = matcher("PRIVATE");
    for (const ip of ["10.1.1.1", "172.16.0.1", "172.31.255.255", "192.168.0.9", "fd00::1"]) {
      expect(priv.contains(ip), ip).toBe(true);
    }
    for (const ip of ["172.32.0.1", "8.8.8.8", "127.0.0.1", "2001:db8::1"]) {
      expect(priv.contains(ip), ip).toBe(false);
    }
  });

  it("never trusts an unparsable address", () => {
    const m = matcher("0.0.0.0/0, ::/0");
    expect(m.contains("1.2.3.4")).toBe(true);
    expect(m.contains("2001:db8::1")).toBe(true);
    for (const junk of ["", "unknown", "127.1", "0x7f.0.0.1", "1.2.3.4:80", "[::1]", "not-an-ip"]) {
      expect(m.contains(junk), junk).toBe(false);
    }
  });

  it("refuses the names of Object's own properties as entries instead of throwing", () => {
    for (const entry of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      const parsed = parseTrustedProxies(`10.0.0.1, ${entry}`);
      expect(parsed.ok, entry).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain(`"${entry}"`);
    }
  });

  it("names the bad entry in the error", () => {
    const error = errorOf("127.0.0.1, 10.0.0.300");
    expect(error).toContain('"10.0.0.300"');
    expect(error).toMatch(/^invalid entry "10\.0\.0\.300" \(not a valid IPv4 address/);
    expect(error).not.toContain('"127.0.0.1"');
  });

  it("lists every bad entry with its reason", () => {
    const error = errorOf("10.0.0.0/33, proxy.internal, ::1/129, 127.1, 10.0.0.0/x, ::ffff:0:0/64");
    expect(error).toContain('"10.0.0.0/33" (prefix length /33 is out of range (0-32 for IPv4))');
    expect(error).toContain('"proxy.internal" (not an IP address or CIDR)');
    expect(error).toContain('"::1/129" (prefix length /129 is out of range (0-128 for IPv6))');
    expect(error).toContain('"127.1" (not a valid IPv4 address');
    expect(error).toContain('"10.0.0.0/x" ("/x" is not a prefix length)');
    expect(error).toContain('"::ffff:0:0/64" (an IPv4-mapped range needs a prefix of /96 or longer)');
    expect(error).toMatch(/^invalid entries "10\.0\.0\.0\/33" /);
  });

  it("rejects ports, brackets and lenient IPv4 spellings", () => {
    for (const bad of ["10.0.0.1:8080", "[::1]", "010.0.0.1", "0x0a.0.0.1", "10.0.0.1/-1", "10.0.0.1/ 8"]) {
      expect(parseTrustedProxies(bad).ok, bad).toBe(false);
    }
  });

  it("has a throwing variant with a typed error", () => {
    expect(trustedProxiesOrThrow("loopback").contains("127.0.0.1")).toBe(true);
    expect(() => trustedProxiesOrThrow("nope")).toThrow(TrustedProxiesError);
    expect(() => trustedProxiesOrThrow("nope")).toThrow(/"nope"/);
  });
});

describe("normalizeIpAddress", () => {
  it("returns canonical text or null", () => {
    expect(normalizeIpAddress("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeIpAddress("2001:DB8:0:0::1")).toBe("2001:db8::1");
    expect(normalizeIpAddress("fe80::1%eth0")).toBe("fe80::1");
    expect(normalizeIpAddress("127.1")).toBeNull();
    expect(normalizeIpAddress("")).toBeNull();
  });
});
