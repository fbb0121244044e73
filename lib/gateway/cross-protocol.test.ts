import { describe, expect, it } from "vitest";
import { droppedToolsHeader } from "./cross-protocol";

describe("droppedToolsHeader", () => {
  it("names the dropped tool types as a header may carry them", () => {
    expect(droppedToolsHeader(["web_search_preview", "file_search"])).toBe("web_search_preview, file_search");
    expect(droppedToolsHeader(["日本", "a\nb", "x".repeat(100)])).toBe(`??, a?b, ${"x".repeat(64)}`);
    const many = Array.from({ length: 20 }, (_, i) => `t${i}`);
    expect(droppedToolsHeader(many)).toBe(`${many.slice(0, 16).join(", ")}, (4 more)`);
    // Every value is one Node sends.
    for (const value of [droppedToolsHeader(["日本", "\u0000", "\ud800"])]) expect(/^[\x20-\x7e]*$/.test(value)).toBe(true);
  });
});
