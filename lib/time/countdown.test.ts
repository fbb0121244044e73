import { describe, expect, it } from "vitest";
import {
  bestClockOffsetMs,
  clockOffsetMs,
  countdownAnnouncement,
  countdownState,
  DAY,
  describeRemaining,
  displaySeconds,
  formatCountdown,
  HOUR,
  MINUTE,
  msUntilNextTick,
  SECOND,
} from "./countdown";

describe("clock offset", () => {
  it("takes the round trip's midpoint as the moment the server read its clock", () => {
    // Browser 5 s behind the server, 200 ms round trip.
    expect(clockOffsetMs({ sentAtMs: 1_000, receivedAtMs: 1_200, serverMs: 6_100 })).toBe(5_000);
    // Browser ahead of the server: a negative offset.
    expect(clockOffsetMs({ sentAtMs: 10_000, receivedAtMs: 10_050, serverMs: 7_025 })).toBe(-3_000);
  });

  it("prefers the sample with the shortest round trip", () => {
    const slow = { sentAtMs: 0, receivedAtMs: 2_000, serverMs: 1_500 }; // says +500
    const fast = { sentAtMs: 5_000, receivedAtMs: 5_020, serverMs: 5_010 }; // says 0
    expect(bestClockOffsetMs([slow, fast])).toBe(0);
    expect(bestClockOffsetMs([])).toBe(0);
  });

  it("corrects the remaining time by the offset", () => {
    const end = 100_000;
    const browserNow = 40_000;
    const offset = 5_000; // server is 5 s ahead: 55 s left, not 60
    expect(countdownState(browserNow + offset, 0, end)).toEqual({ phase: "running", remainingMs: 55_000 });
  });
});

describe("phases", () => {
  it("counts to the start before the window opens, to the end inside it, and stops at zero", () => {
    expect(countdownState(0, 10_000, 20_000)).toEqual({ phase: "before", remainingMs: 10_000 });
    expect(countdownState(10_000, 10_000, 20_000)).toEqual({ phase: "running", remainingMs: 10_000 });
    expect(countdownState(19_999, 10_000, 20_000)).toEqual({ phase: "running", remainingMs: 1 });
    expect(countdownState(20_000, 10_000, 20_000)).toEqual({ phase: "ended", remainingMs: 0 });
    expect(countdownState(99_000, 10_000, 20_000)).toEqual({ phase: "ended", remainingMs: 0 });
  });
});

describe("ticks without drift", () => {
  it("schedules the next tick for when the shown second changes", () => {
    expect(msUntilNextTick(5_300)).toBe(300);
    expect(msUntilNextTick(5_000)).toBe(1_000);
    expect(msUntilNextTick(999)).toBe(999);
    expect(msUntilNextTick(0)).toBe(1_000);
  });

  it("lands every tick on a whole second even when timers fire late", () => {
    const end = 60_000;
    let now = 12_345; // arbitrary start, mid-second
    const shown: number[] = [];
    for (let i = 0; i < 20; i++) {
      const remaining = end - now;
      shown.push(displaySeconds(remaining));
      now += msUntilNextTick(remaining) + (i % 3) * 7; // timers fire 0, 7 or 14 ms late
    }
    // Late timers never skip or repeat a second, and the error does not build up.
    expect(shown).toEqual(Array.from({ length: 20 }, (_, i) => 48 - i));
    expect(displaySeconds(end - now)).toBe(28);
  });

  it("rounds the shown seconds up, so zero means the end", () => {
    expect(displaySeconds(1)).toBe(1);
    expect(displaySeconds(1_000)).toBe(1);
    expect(displaySeconds(1_001)).toBe(2);
    expect(displaySeconds(0)).toBe(0);
    expect(displaySeconds(-5)).toBe(0);
  });
});

describe("formatting", () => {
  it("shows days, hours, minutes and seconds", () => {
    expect(formatCountdown(9 * SECOND)).toBe("00:00:09");
    expect(formatCountdown(HOUR + 2 * MINUTE + 3 * SECOND)).toBe("01:02:03");
    expect(formatCountdown(3 * DAY + 4 * HOUR + 5 * MINUTE + 6 * SECOND)).toBe("3d 04:05:06");
    expect(formatCountdown(DAY)).toBe("1d 00:00:00");
    expect(formatCountdown(DAY - 1)).toBe("1d 00:00:00");
    expect(formatCountdown(DAY - SECOND)).toBe("23:59:59");
    expect(formatCountdown(0)).toBe("00:00:00");
  });

  it("describes the time in words at the announced granularity", () => {
    expect(describeRemaining(3 * DAY + 4 * HOUR)).toBe("3 days 4 hours");
    expect(describeRemaining(DAY)).toBe("1 day");
    expect(describeRemaining(2 * HOUR + 5 * MINUTE)).toBe("2 hours 5 minutes");
    expect(describeRemaining(HOUR)).toBe("1 hour");
    expect(describeRemaining(59 * MINUTE + 1)).toBe("1 hour");
    expect(describeRemaining(5 * MINUTE - 30 * SECOND)).toBe("5 minutes");
    expect(describeRemaining(61 * SECOND)).toBe("2 minutes");
    expect(describeRemaining(60 * SECOND)).toBe("60 seconds");
    expect(describeRemaining(41 * SECOND)).toBe("50 seconds");
    expect(describeRemaining(3 * SECOND)).toBe("10 seconds");
    expect(describeRemaining(0)).toBe("no time");
  });

  it("announces only when the words change: each minute, then each 10 s", () => {
    const said = new Set<string>();
    for (let ms = 3 * MINUTE; ms > 0; ms -= SECOND) said.add(countdownAnnouncement(countdownState(0, 0, ms)));
    expect([...said]).toEqual([
      "3 minutes of access left.",
      "2 minutes of access left.",
      "60 seconds of access left.",
      "50 seconds of access left.",
      "40 seconds of access left.",
      "30 seconds of access left.",
      "20 seconds of access left.",
      "10 seconds of access left.",
    ]);
    expect(countdownAnnouncement({ phase: "before", remainingMs: 2 * HOUR })).toBe("Access starts in 2 hours.");
    expect(countdownAnnouncement({ phase: "ended", remainingMs: 0 })).toBe("Access has expired.");
  });
});
