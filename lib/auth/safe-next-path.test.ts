import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next-path";

describe("safeNextPath", () => {
  it.each([
    ["/dashboard", "/dashboard"],
    ["/console/users?q=a%40b.c", "/console/users?q=a%40b.c"],
    ["/orders/../console", "/console"],
  ])("keeps the same-site path %s", (input, output) => {
    expect(safeNextPath(input)).toBe(output);
  });

  it.each([
    ["an absolute URL", "https://evil.example/dashboard"],
    ["a protocol-relative URL", "//evil.example/dashboard"],
    ["a backslash trick", "/\\evil.example"],
    ["a relative path", "dashboard"],
    ["a control character", "/dash\nboard"],
    ["the sign-in pages", "/signin/confirm?token=x"],
    ["the auth API", "/api/auth/signout"],
    ["an empty value", ""],
    ["a non-string", ["/dashboard"]],
    ["an overly long value", `/${"a".repeat(600)}`],
  ])("refuses %s", (_label, input) => {
    expect(safeNextPath(input)).toBeNull();
  });
});
