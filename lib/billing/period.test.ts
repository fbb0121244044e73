import { describe, expect, it } from "vitest";
import { utcMonth } from "./period";

describe("utcMonth", () => {
  it("names the UTC calendar month and its reset instant", () => {
    expect(utcMonth(new Date("2026-11-15T10:00:00Z"))).toEqual({
      id: "2026-11",
      start: new Date("2026-11-01T00:00:00Z"),
      end: new Date("2026-12-01T00:00:00Z"),
    });
    expect(utcMonth(new Date("2026-12-31T23:59:59.999Z"))).toMatchObject({ id: "2026-12", end: new Date("2027-01-01T00:00:00Z") });
    expect(utcMonth(new Date("2027-01-01T00:00:00Z")).id).toBe("2027-01");
    expect(utcMonth(new Date("2028-02-29T12:00:00Z")).end).toEqual(new Date("2028-03-01T00:00:00Z"));
  });

  it("uses UTC, not the server's zone: 23:30 on the 31st in New York is already next month", () => {
    expect(utcMonth(new Date("2026-03-31T23:30:00-04:00")).id).toBe("2026-04");
  });
});
