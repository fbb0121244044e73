import { expect, it, vi } from "vitest";
import { processSingleton } from "./process-singleton";

it("creates a value once per name and hands every caller the same one", () => {
  let made = 0;
  const make = () => ({ id: ++made });
  const a = processSingleton("test.one", make);
  expect(processSingleton("test.one", make)).toBe(a);
  expect(processSingleton("test.two", make)).not.toBe(a);
  expect(made).toBe(2);
});

it("shares state with another copy of the module, as server.ts's bundle and Next's do", async () => {
  const first = processSingleton("test.shared", () => new Map<string, number>());
  first.set("seen", 1);
  // A second copy of the module (a fresh module instance) finds the same value on globalThis.
  vi.resetModules();
  const copy = await import("./process-singleton");
  expect(copy.processSingleton).not.toBe(processSingleton);
  expect(copy.processSingleton("test.shared", () => new Map<string, number>()).get("seen")).toBe(1);
});
