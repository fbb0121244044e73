import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeRunway, formatSpan, type RunwayInput } from "./runway";

const DAY = 24 * 60 * 60 * 1000;
const now = new Date("2026-12-05T12:00:00Z");
const M = 1_000_000n;

function input(overrides: Partial<RunwayInput> = {}): RunwayInput {
  return {
    now,
    accessStart: new Date(now.getTime() - 10 * DAY),
    accessEnd: new Date(now.getTime() + 23 * DAY),
    credit: { balanceMicros: 9n * M },
    orderSpendMicros: 7n * M, // $1 a day over 7 days
    keyLimit: null,
    rateSince: new Date(now.getTime() - 7 * DAY),
    ...overrides,
  };
}

describe("computeRunway", () => {
  it("says the credit runs out first, in the issue's words", () => {
    const r = computeRunway(input());
    expect(r.first).toBe("credit");
    expect(r.reached).toBe(false);
    expect(r.endsAt.toISOString()).toBe(new Date(now.getTime() + 9 * DAY).toISOString());
    expect(r.dailyRateMicros).toBe(M);
    expect(r.sentence).toBe("Your credit lasts about 9 days at your current rate; access ends in 23 days.");
  });

  it("zero spend: the credit never runs out at the current rate, access ends first", () => {
    const r = computeRunway(input({ orderSpendMicros: 0n }));
    expect(r.first).toBe("access");
    expect(r.creditEndsAt).toBeNull();
    expect(r.dailyRateMicros).toBe(0n);
    expect(r.sentence).toBe("Access ends in 23 days; your credit of $9.00 is untouched in the last 7 days.");
  });

  it("no credit (a plan without a spend cap): only the access window and the key limit count", () => {
    const r = computeRunway(input({ credit: null, orderSpendMicros: 100n * M }));
    expect(r.first).toBe("access");
    expect(r.sentence).toBe("Access ends in 23 days.");
  });

  it("credit used up: reached now", () => {
    const r = computeRunway(input({ credit: { balanceMicros: 0n } }));
    expect(r).toMatchObject({ first: "credit", reached: true });
    expect(r.endsAt).toEqual(now);
    expect(r.sentence).toBe("Your credit is used up; access ends in 23 days.");
    // A negative balance (settled slightly past zero) reads the same.
    expect(computeRunway(input({ credit: { balanceMicros: -5n } })).sentence).toBe("Your credit is used up; access ends in 23 days.");
  });

  it("key limit already reached: says when it resets", () => {
    const resetsAt = new Date("2027-01-01T00:00:00Z");
    const keyLimit = { limitMicros: 5n * M, spentInPeriodMicros: 5n * M, resetsAt };
    const r = computeRunway(input({ credit: null, keyLimit, accessEnd: new Date(now.getTime() + 40 * DAY) }));
    expect(r).toMatchObject({ first: "key_limit", reached: true });
    expect(r.keyLimitResetsAt).toEqual(resetsAt);
    expect(r.sentence).toBe("This key has reached its monthly spend limit until it resets in 27 days (2027-01-01 00:00 UTC); access ends in 40 days.");
    // Resetting after the access ends is no comfort: the sentence says so.
    expect(computeRunway(input({ credit: null, keyLimit })).sentence).toBe(
      "This key has reached its monthly spend limit, which resets after your access ends; access ends in 23 days.",
    );
  });

  it("key limit reached at the current rate before its reset and before the credit", () => {
    const resetsAt = new Date("2027-01-01T00:00:00Z");
    const r = computeRunway(input({ credit: { balanceMicros: 100n * M }, keyLimit: { limitMicros: 10n * M, spentInPeriodMicros: 7n * M, resetsAt } }));
    expect(r.first).toBe("key_limit");
    expect(r.endsAt.getTime()).toBe(now.getTime() + 3 * DAY);
    expect(r.sentence).toBe(
      "This key reaches its monthly spend limit in about 3 days at your current rate (it resets 2027-01-01 00:00 UTC); access ends in 23 days.",
    );
  });

  it("names the limit's period: a daily limit reached resets at the next UTC midnight", () => {
    const resetsAt = new Date("2026-12-06T00:00:00Z");
    const keyLimit = { limitMicros: 2n * M, period: "DAY" as const, spentInPeriodMicros: 2n * M, resetsAt };
    expect(computeRunway(input({ credit: null, keyLimit, now: new Date("2026-12-05T20:00:00Z") })).sentence).toMatch(
      /^This key has reached its daily spend limit until it resets in 4 hours \(2026-12-06 00:00 UTC\);/,
    );
  });

  it("a key limit that would only be reached after it resets does not count", () => {
    const resetsAt = new Date(now.getTime() + 2 * DAY);
    const r = computeRunway(input({ credit: null, keyLimit: { limitMicros: 10n * M, spentInPeriodMicros: 7n * M, resetsAt } }));
    expect(r.first).toBe("access");
    expect(r.keyLimitReachedAt).toBeNull();
  });

  it("access already ended: nothing else matters", () => {
    const accessEnd = new Date("2026-12-01T08:00:00Z");
    const r = computeRunway(input({ accessEnd, credit: { balanceMicros: 0n } }));
    expect(r).toMatchObject({ first: "access", reached: true, endsAt: accessEnd });
    expect(r.sentence).toBe("Access ended 2026-12-01 (UTC).");
  });

  it("credit lasting past the access end: access first", () => {
    const r = computeRunway(input({ credit: { balanceMicros: 1000n * M } }));
    expect(r.first).toBe("access");
    expect(r.sentence).toBe("Access ends in 23 days; your credit lasts beyond that at your current rate.");
  });

  it("a window measured over no time (access just started) counts no rate", () => {
    const r = computeRunway(input({ rateSince: now, orderSpendMicros: 3n }));
    expect(r.dailyRateMicros).toBe(0n);
    expect(r.first).toBe("access");
  });

  it("properties: first is the earliest limit, never after access end, and the sentence is one sentence", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5 * DAY, max: 400 * DAY }),
        fc.option(fc.bigInt({ min: -10n * M, max: 10_000n * M })),
        fc.bigInt({ min: 0n, max: 1_000n * M }),
        fc.option(
          fc.record({
            limit: fc.bigInt({ min: 0n, max: 1_000n * M }),
            spent: fc.bigInt({ min: 0n, max: 1_000n * M }),
            resetIn: fc.integer({ min: 1, max: 31 * DAY }),
          }),
        ),
        fc.integer({ min: 0, max: 8 * DAY }),
        (accessLeft, balance, spend, limit, windowMs) => {
          const accessEnd = new Date(now.getTime() + accessLeft);
          const r = computeRunway(
            input({
              accessEnd,
              credit: balance === null ? null : { balanceMicros: balance },
              orderSpendMicros: spend,
              keyLimit: limit && { limitMicros: limit.limit, spentInPeriodMicros: limit.spent, resetsAt: new Date(now.getTime() + limit.resetIn) },
              rateSince: new Date(now.getTime() - windowMs),
            }),
          );
          expect(r.endsAt.getTime()).toBeLessThanOrEqual(Math.max(accessEnd.getTime(), now.getTime()));
          expect(r.sentence).toMatch(/^[A-Z][^.]*(\.\d+)?[^.]*\.$/);
          expect(r.sentence).not.toMatch(/undefined|NaN|null/);
          if (accessLeft <= 0) expect(r).toMatchObject({ first: "access", reached: true });
          if (r.first !== "access") expect(r.endsAt.getTime()).toBeLessThan(accessEnd.getTime());
          if (r.reached && r.first !== "access") expect(r.endsAt).toEqual(now);
          for (const at of [r.creditEndsAt, r.keyLimitReachedAt]) {
            if (at && at.getTime() < accessEnd.getTime() && accessLeft > 0) expect(r.endsAt.getTime()).toBeLessThanOrEqual(at.getTime());
          }
        },
      ),
    );
  });
});

describe("formatSpan", () => {
  it("words spans from minutes to days", () => {
    expect(formatSpan(30_000)).toBe("less than a minute");
    expect(formatSpan(60_000)).toBe("1 minute");
    expect(formatSpan(90 * 60_000, true)).toBe("about 90 minutes");
    expect(formatSpan(5 * 3_600_000)).toBe("5 hours");
    expect(formatSpan(23 * DAY)).toBe("23 days");
  });
});
