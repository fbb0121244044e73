import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { releaseId } from "../../scripts/release.mjs";
import { buildStaleReason } from "./build-if-needed";

const root = mkdtempSync(join(tmpdir(), "gatehouse-stale-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeBuild(buildId: string, encryptionKey: string) {
  mkdirSync(join(root, ".next", "server"), { recursive: true });
  writeFileSync(join(root, ".next", "server", "server-reference-manifest.json"), JSON.stringify({ node: {}, edge: {}, encryptionKey }));
  writeFileSync(join(root, ".next", "BUILD_ID"), buildId);
  // Built after the sources were written.
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(root, ".next", "BUILD_ID"), later, later);
}

it("rebuilds when the build is missing, of other sources, or made with another server-actions key", () => {
  mkdirSync(join(root, "app"), { recursive: true });
  writeFileSync(join(root, "app", "page.tsx"), "export default function Page() { return null; }\n");
  expect(buildStaleReason(root, "key-1")).toBe("no production build yet");

  writeBuild(releaseId(root), "key-1");
  expect(buildStaleReason(root, "key-1")).toBeNull();
  expect(buildStaleReason(root)).toBeNull();
  expect(buildStaleReason(root, "key-2")).toBe("built with another GATEHOUSE_SECRET");

  writeBuild("0000000000000000", "key-1");
  expect(buildStaleReason(root, "key-1")).toBe("built from other sources");
});
