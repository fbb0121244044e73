import { describe, expect, it } from "vitest";
import { assertRole, homePathFor, isStaff, rolesAtLeast } from "./roles";

describe("roles", () => {
  it("counts support agents and admins as staff", () => {
    expect(isStaff({ role: "BUYER" })).toBe(false);
    expect(isStaff({ role: "SUPPORT" })).toBe(true);
    expect(isStaff({ role: "ADMIN" })).toBe(true);
  });

  it("sends staff to the console and buyers to their dashboard", () => {
    expect(homePathFor({ role: "BUYER" })).toBe("/dashboard");
    expect(homePathFor({ role: "SUPPORT" })).toBe("/console");
    expect(homePathFor({ role: "ADMIN" })).toBe("/console");
  });

  it("stops with a 404 when the role is not allowed", () => {
    expect(() => assertRole({ role: "ADMIN" }, ["ADMIN"])).not.toThrow();
    expect(() => assertRole({ role: "BUYER" }, ["SUPPORT", "ADMIN"])).toThrow(
      expect.objectContaining({ digest: expect.stringMatching(/^NEXT_HTTP_ERROR_FALLBACK;404/) }),
    );
    expect(() => assertRole({ role: "SUPPORT" }, ["ADMIN"])).toThrow(
      expect.objectContaining({ digest: expect.stringMatching(/^NEXT_HTTP_ERROR_FALLBACK;404/) }),
    );
  });

  it("lists a minimum role and everything above it", () => {
    expect(rolesAtLeast("BUYER")).toEqual(["BUYER", "SUPPORT", "ADMIN"]);
    expect(rolesAtLeast("SUPPORT")).toEqual(["SUPPORT", "ADMIN"]);
    expect(rolesAtLeast("ADMIN")).toEqual(["ADMIN"]);
  });
});
