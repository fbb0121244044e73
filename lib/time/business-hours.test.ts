import { describe, expect, it } from "vitest";
import { addBusinessHours, parseOpeningHours } from "./business-hours";

const UTC = { openMinute: 9 * 60, closeMinute: 17 * 60, timeZone: "UTC" };

describe("business hours", () => {
  it("counts only opening hours on weekdays", () => {
    // Wednesday 10:00 + 4 h = 14:00 the same day.
    expect(addBusinessHours(new Date("2026-12-02T10:00:00Z"), 4, UTC).toISOString()).toBe("2026-12-02T14:00:00.000Z");
    // Wednesday 15:00 + 4 h: 2 h today, 2 h tomorrow from 09:00.
    expect(addBusinessHours(new Date("2026-12-02T15:00:00Z"), 4, UTC).toISOString()).toBe("2026-12-03T11:00:00.000Z");
    // Friday 16:00 + 4 h: 1 h Friday, 3 h Monday.
    expect(addBusinessHours(new Date("2026-12-04T16:00:00Z"), 4, UTC).toISOString()).toBe("2026-12-07T12:00:00.000Z");
    // Saturday night and before opening: the clock starts at Monday 09:00.
    expect(addBusinessHours(new Date("2026-12-05T23:00:00Z"), 1, UTC).toISOString()).toBe("2026-12-07T10:00:00.000Z");
    expect(addBusinessHours(new Date("2026-12-07T06:00:00Z"), 8, UTC).toISOString()).toBe("2026-12-07T17:00:00.000Z");
  });

  it("follows the desk's time zone, daylight saving included", () => {
    const berlin = { ...UTC, timeZone: "Europe/Berlin" };
    // Winter: Berlin is UTC+1. Monday 08:30 UTC = 09:30 local; + 2 h = 11:30 local = 10:30 UTC.
    expect(addBusinessHours(new Date("2026-12-07T08:30:00Z"), 2, berlin).toISOString()).toBe("2026-12-07T10:30:00.000Z");
    // Summer: UTC+2. Monday 2026-07-06 06:00 UTC = 08:00 local → opens 09:00 local, + 1 h = 10:00 local = 08:00 UTC.
    expect(addBusinessHours(new Date("2026-07-06T06:00:00Z"), 1, berlin).toISOString()).toBe("2026-07-06T08:00:00.000Z");
  });

  it("reads opening hours", () => {
    expect(parseOpeningHours("09:00-17:00")).toEqual({ openMinute: 540, closeMinute: 1020 });
    expect(parseOpeningHours("8-18")).toEqual({ openMinute: 480, closeMinute: 1080 });
    for (const bad of ["17-09", "9", "25-26", "09:75-10:00", "nine to five"]) expect(parseOpeningHours(bad), bad).toBeNull();
  });
});
