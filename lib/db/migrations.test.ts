import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, projectRoot, readMigrationList } from "./migrations";

describe("PROJECT_ROOT", () => {
  it("is this project's directory", () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { name: string };
    expect(pkg.name).toBe("gatehouse");
    expect(readMigrationList().migrationDirectories.length).toBeGreaterThan(0);
  });

  it("is found upwards from wherever the module runs: lib/db, the server bundle, a Next chunk", () => {
    for (const dir of [
      ["lib", "db"],
      ["build", "server"],
      [".next", "server", "chunks"],
    ]) {
      expect(projectRoot(join(PROJECT_ROOT, ...dir))).toBe(PROJECT_ROOT);
    }
  });

  it("falls back to two levels up when no schema is above", () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-root-"));
    try {
      expect(projectRoot(join(dir, "a", "b"))).toBe(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
