import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, expect, it } from "vitest";
import { compileNextConfig } from "./compile-next-config";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-next-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("compiles the project's next.config.ts to an equivalent next.config.mjs, once", async () => {
  copyFileSync(join(__dirname, "..", "..", "next.config.ts"), join(dir, "next.config.ts"));
  expect(compileNextConfig(dir)).toBe(true);
  expect(compileNextConfig(dir)).toBe(false);
  const compiled = readFileSync(join(dir, "next.config.mjs"), "utf8");
  expect(compiled).toMatch(/^\/\/ Generated from next.config.ts/);
  const config = (await import(pathToFileURL(join(dir, "next.config.mjs")).href)) as {
    default: { serverExternalPackages: string[]; poweredByHeader: boolean };
  };
  expect(config.default.serverExternalPackages).toContain("@electric-sql/pglite");
  expect(config.default.poweredByHeader).toBe(false);
});
