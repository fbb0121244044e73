import { describe, expect, it } from "vitest";
import { channelsFor, type Catalog, type CatalogChannel } from "./catalog";
import { attemptOrder, circuitView, recordChannelFailure, recordChannelSuccess, resetCircuits } from "./circuit-breaker";
import type { Protocol } from "./types";

// Which channel serves a request: priority first, then (at equal priority) a channel of the
// client's own protocol, then — among channels equal in both — a share of traffic by weight.

function channel(name: string, priority: number, weight: number, protocol: Protocol = "openai"): CatalogChannel {
  return { id: name, name, protocol, baseUrl: `http://${name}.test`, apiKey: "k", priority, weight, modelMap: {} };
}

function catalogOf(channels: CatalogChannel[]): Catalog {
  // As loadCatalog lists them: by priority, then by name.
  const sorted = [...channels].sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
  return { prices: new Map(), channels: new Map([["m", sorted]]), loadedAt: Date.now(), routes: new Map() };
}

/** A small seeded generator (mulberry32), so the counts below are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("channel choice", () => {
  it("shares traffic between equal-priority channels by weight", () => {
    const catalog = catalogOf([channel("a", 0, 1), channel("b", 0, 3), channel("c", 0, 6)]);
    const random = seeded(42);
    const first = new Map<string, number>();
    const runs = 20_000;
    for (let i = 0; i < runs; i++) {
      const order = channelsFor(catalog, "m", "openai", random)!;
      expect(order).toHaveLength(3);
      first.set(order[0]!.name, (first.get(order[0]!.name) ?? 0) + 1);
    }
    // 10 %, 30 %, 60 % of first picks, within two points.
    for (const [name, share] of [
      ["a", 0.1],
      ["b", 0.3],
      ["c", 0.6],
    ] as const) {
      expect(Math.abs(first.get(name)! / runs - share), name).toBeLessThan(0.02);
    }
  });

  it("with equal weights, no channel is favoured (the first by name used to take everything)", () => {
    const catalog = catalogOf([channel("alpha", 5, 1), channel("beta", 5, 1)]);
    const random = seeded(7);
    let alpha = 0;
    for (let i = 0; i < 10_000; i++) if (channelsFor(catalog, "m", "openai", random)![0]!.name === "alpha") alpha++;
    expect(Math.abs(alpha / 10_000 - 0.5)).toBeLessThan(0.02);
  });

  it("keeps failover order: every higher-priority channel before any lower one, each channel once", () => {
    const catalog = catalogOf([channel("hi-1", 10, 1), channel("hi-2", 10, 9), channel("mid", 5, 1), channel("lo-1", 0, 2), channel("lo-2", 0, 2)]);
    const random = seeded(1);
    const seenLowFirst = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const names = channelsFor(catalog, "m", "openai", random)!.map((c) => c.name);
      expect(new Set(names.slice(0, 2))).toEqual(new Set(["hi-1", "hi-2"]));
      expect(names[2]).toBe("mid");
      expect(new Set(names.slice(3))).toEqual(new Set(["lo-1", "lo-2"]));
      seenLowFirst.add(names[3]!);
    }
    // The failover tier is shuffled by weight too, so a failing top tier spreads its load.
    expect(seenLowFirst).toEqual(new Set(["lo-1", "lo-2"]));
  });

  it("prefers a channel of the client's protocol at equal priority, whatever the weights", () => {
    const catalog = catalogOf([channel("translating", 0, 100, "anthropic"), channel("native", 0, 1, "openai")]);
    for (let i = 0; i < 200; i++) expect(channelsFor(catalog, "m", "openai")!.map((c) => c.name)).toEqual(["native", "translating"]);
    expect(channelsFor(catalog, "m", "anthropic")!.map((c) => c.name)).toEqual(["translating", "native"]);
  });

  it("costs nothing when there is no choice: the cached array itself, no random draw", () => {
    const catalog = catalogOf([channel("one", 1, 5), channel("two", 0, 5)]);
    const never = () => {
      throw new Error("no draw expected");
    };
    const a = channelsFor(catalog, "m", "openai", never);
    expect(a!.map((c) => c.name)).toEqual(["one", "two"]);
    expect(channelsFor(catalog, "m", "openai", never)).toBe(a);
    expect(channelsFor(catalog, "other", "openai", never)).toBeUndefined();
  });

  it("the circuit breaker still skips an open channel in the weighted order", () => {
    resetCircuits();
    const catalog = catalogOf([channel("a", 0, 1), channel("b", 0, 1000)]);
    for (let i = 0; i < 3; i++) recordChannelFailure("b", Date.now(), "HTTP 503");
    for (let i = 0; i < 50; i++) expect([...attemptOrder(channelsFor(catalog, "m", "openai")!)].map((c) => c.name)).toEqual(["a"]);
    expect(circuitView("b")).toMatchObject({ state: "open", failures: 3, lastFailure: { reason: "HTTP 503" } });
    expect(circuitView("a")).toMatchObject({ state: "closed", failures: 0, lastFailure: null });
    recordChannelSuccess("b");
    // Closed again; the last failure stays visible for the console.
    expect(circuitView("b")).toMatchObject({ state: "closed", lastFailure: { reason: "HTTP 503" } });
    resetCircuits();
  });
});
