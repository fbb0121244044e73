import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { releaseId, serverActionsKey } from "./release.mjs";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-release-"));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe("releaseId", () => {
  const files = { "app/page.tsx": "export default 1;\n", "lib/a.ts": "export const a = 1;\n", "package-lock.json": "{}\n" };

  it("is the same for the same sources in two directories, and differs when a built file changes", () => {
    const a = tree(files);
    const b = tree(files);
    expect(releaseId(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(releaseId(b)).toBe(releaseId(a));
    expect(releaseId(tree({ ...files, "lib/a.ts": "export const a = 2;\n" }))).not.toBe(releaseId(a));
    expect(releaseId(tree({ ...files, "package-lock.json": "{ }\n" }))).not.toBe(releaseId(a));
  });

  it("ignores tests and notes, which are never built", () => {
    const a = tree(files);
    expect(releaseId(tree({ ...files, "lib/a.test.ts": "it();\n", "lib/README.md": "notes\n" }))).toBe(releaseId(a));
  });
});

describe("serverActionsKey", () => {
  it("derives one 256-bit key per GATEHOUSE_SECRET", () => {
    const key = serverActionsKey("x".repeat(40));
    expect(Buffer.from(key, "base64")).toHaveLength(32);
    expect(serverActionsKey("x".repeat(40))).toBe(key);
    expect(serverActionsKey("y".repeat(40))).not.toBe(key);
  });
});
