import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, expect, it } from "vitest";
import { compileNextConfig } from "./compile-next-config";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-next-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("compiles the project's next.config.ts to an equivalent next.config.mjs, once", async () => {
  const project = join(__dirname, "..", "..");
  copyFileSync(join(project, "next.config.ts"), join(dir, "next.config.ts"));
  mkdirSync(join(dir, "scripts"));
  copyFileSync(join(project, "scripts", "release.mjs"), join(dir, "scripts", "release.mjs"));
  mkdirSync(join(dir, "app"));
  writeFileSync(join(dir, "app", "page.tsx"), "export default function Page() { return null; }\n");
  expect(compileNextConfig(dir)).toBe(true);
  expect(compileNextConfig(dir)).toBe(false);
  const compiled = readFileSync(join(dir, "next.config.mjs"), "utf8");
  expect(compiled).toMatch(/^\/\/ Generated from next.config.ts/);
  type Config = { serverExternalPackages: string[]; poweredByHeader: boolean; deploymentId?: string; generateBuildId?: () => Promise<string> };
  const { default: configFor } = (await import(pathToFileURL(join(dir, "next.config.mjs")).href)) as { default: (phase: string) => Config };
  const config = configFor("phase-production-build");
  expect(config.serverExternalPackages).toContain("@electric-sql/pglite");
  expect(config.poweredByHeader).toBe(false);
  // The build id and the deployment id are the release id: a hash of the sources, not random.
  expect(config.deploymentId).toMatch(/^[0-9a-f]{16}$/);
  expect(await config.generateBuildId?.()).toBe(config.deploymentId);
  expect(configFor("phase-production-build").deploymentId).toBe(config.deploymentId);
  // The running server announces the id its build was made with.
  mkdirSync(join(dir, ".next"));
  writeFileSync(join(dir, ".next", "BUILD_ID"), "0123456789abcdef");
  expect(configFor("phase-production-server").deploymentId).toBe("0123456789abcdef");
  expect(configFor("phase-development-server").deploymentId).toBeUndefined();
});
