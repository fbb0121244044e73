import { describe, expect, it } from "vitest";
import { describeDuration } from "./describe-duration";

describe("describeDuration", () => {
  it.each([
    [1, "1 second"],
    [20, "20 seconds"],
    [60, "1 minute"],
    [900, "15 minutes"],
    [901, "16 minutes"],
    [3600, "1 hour"],
    [7200, "2 hours"],
  ])("%i s is %s", (seconds, text) => {
    expect(describeDuration(seconds)).toBe(text);
  });
});
