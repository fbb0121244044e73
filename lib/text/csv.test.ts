import { describe, expect, it } from "vitest";
import { csvField, csvRow } from "./csv";

describe("csv", () => {
  it("quotes what needs quoting and leaves the rest alone", () => {
    expect(csvRow(["a", 1, 2n, true, null, undefined])).toBe("a,1,2,true,,\r\n");
    expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
  });

  it("keeps spreadsheets from running a field as a formula", () => {
    for (const value of ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"]) expect(csvField(value).replace(/^"/, "")).toMatch(/^'/);
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    // Numbers are numbers, not text that starts with a minus.
    expect(csvField(-5)).toBe("-5");
  });
});
