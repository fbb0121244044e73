import { describe, expect, it } from "vitest";
import { utcDay, utcMonth, utcPeriod } from "./period";

const at = (iso: string) => new Date(iso);

describe("utcPeriod", () => {
  it("days: 23:59:59.999 UTC belongs to the day, 00:00:00.000 to the next", () => {
    expect(utcPeriod("DAY", at("2026-12-05T23:59:59.999Z"))).toEqual({
      kind: "DAY",
      id: "2026-12-05",
      start: at("2026-12-05T00:00:00Z"),
      end: at("2026-12-06T00:00:00Z"),
    });
    expect(utcPeriod("DAY", at("2026-12-06T00:00:00.000Z"))).toMatchObject({ id: "2026-12-06", start: at("2026-12-06T00:00:00Z") });
    // Across a year and into a leap day.
    expect(utcPeriod("DAY", at("2026-12-31T23:59:59.999Z")).end).toEqual(at("2027-01-01T00:00:00Z"));
    expect(utcPeriod("DAY", at("2028-02-28T23:59:59.999Z")).end).toEqual(at("2028-02-29T00:00:00Z"));
  });

  it("weeks start on Monday 00:00 UTC", () => {
    // 2026-12-07 is a Monday; Sunday 23:59:59.999 still belongs to the week of Monday 11-30.
    expect(utcPeriod("WEEK", at("2026-12-06T23:59:59.999Z"))).toEqual({
      kind: "WEEK",
      id: "W2026-11-30",
      start: at("2026-11-30T00:00:00Z"),
      end: at("2026-12-07T00:00:00Z"),
    });
    expect(utcPeriod("WEEK", at("2026-12-07T00:00:00.000Z"))).toMatchObject({ id: "W2026-12-07", end: at("2026-12-14T00:00:00Z") });
    expect(utcPeriod("WEEK", at("2026-12-09T12:00:00Z")).id).toBe("W2026-12-07");
    // A week that spans the turn of the year is named by its Monday.
    expect(utcPeriod("WEEK", at("2027-01-01T08:00:00Z"))).toMatchObject({ id: "W2026-12-28", end: at("2027-01-04T00:00:00Z") });
  });

  it("months end at the first instant of the next, February and leap years included", () => {
    expect(utcMonth(at("2026-11-15T10:00:00Z"))).toEqual({ kind: "MONTH", id: "2026-11", start: at("2026-11-01T00:00:00Z"), end: at("2026-12-01T00:00:00Z") });
    expect(utcPeriod("MONTH", at("2026-12-31T23:59:59.999Z"))).toMatchObject({ id: "2026-12", end: at("2027-01-01T00:00:00Z") });
    expect(utcPeriod("MONTH", at("2027-01-01T00:00:00.000Z")).id).toBe("2027-01");
    expect(utcPeriod("MONTH", at("2027-02-28T23:59:59.999Z"))).toMatchObject({ id: "2027-02", end: at("2027-03-01T00:00:00Z") });
    expect(utcPeriod("MONTH", at("2028-02-29T23:59:59.999Z"))).toMatchObject({ id: "2028-02", end: at("2028-03-01T00:00:00Z") });
    expect(utcPeriod("MONTH", at("2028-03-01T00:00:00.000Z")).id).toBe("2028-03");
  });

  it("uses UTC, not the server's zone: 23:30 on a Sunday in New York is already Monday", () => {
    expect(utcMonth(at("2026-03-31T23:30:00-04:00")).id).toBe("2026-04");
    expect(utcPeriod("DAY", at("2026-12-06T23:30:00-05:00")).id).toBe("2026-12-07");
    expect(utcPeriod("WEEK", at("2026-12-06T23:30:00-05:00")).id).toBe("W2026-12-07");
  });
});

describe("utcDay", () => {
  it("names each instant's UTC day, however the days of successive calls alternate", () => {
    const cases: [string, string][] = [
      ["2026-12-05T23:59:59.999Z", "2026-12-05"],
      ["2026-12-06T00:00:00.000Z", "2026-12-06"],
      ["2026-12-05T00:00:00.000Z", "2026-12-05"],
      ["2026-12-05T12:00:00.000Z", "2026-12-05"],
      ["1969-12-31T23:59:59.999Z", "1969-12-31"],
      ["1970-01-01T00:00:00.000Z", "1970-01-01"],
      ["2028-02-29T08:00:00.000+08:00", "2028-02-29"],
    ];
    for (const [iso, day] of [...cases, ...cases.reverse()]) expect(utcDay(at(iso)), iso).toBe(day);
    expect(() => utcDay(new Date(Number.NaN))).toThrow(RangeError);
  });
});
