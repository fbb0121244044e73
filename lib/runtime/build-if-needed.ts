import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { releaseId } from "../../scripts/release.mjs";

// `npm start` builds the app when there is no production build or when a source file is newer
// than it, so a fresh clone and a `git pull` both just work.

const SOURCE_DIRS = ["app", "components", "lib", "public", "build/generated/prisma"];
const SOURCE_FILES = ["next.config.ts", "postcss.config.mjs", "tsconfig.json", "package.json", "proxy.ts"];
const IGNORED = /(\.test\.tsx?|\.md)$/;

function newestMtime(root: string, path: string): number {
  const full = join(root, path);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return IGNORED.test(path) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(full)) newest = Math.max(newest, newestMtime(root, join(path, entry)));
  return newest;
}

/** The server-actions key a build was made with (Next writes it into its action manifest). */
function builtServerActionsKey(root: string): string | null {
  try {
    const manifest = JSON.parse(readFileSync(join(root, ".next", "server", "server-reference-manifest.json"), "utf8")) as { encryptionKey?: unknown };
    return typeof manifest.encryptionKey === "string" ? manifest.encryptionKey : null;
  } catch {
    return null;
  }
}

/**
 * Why a build is needed, or null when the existing build is current: none yet, a source newer than
 * it, sources that are not the release it was built from (next.config.ts makes the build id the
 * release id), or another server-actions key than `serverActionsKey` (the ids of server actions
 * are salted with it: a build made with another key would not agree with the other instances).
 */
export function buildStaleReason(root: string, serverActionsKey?: string): string | null {
  const buildId = join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return "no production build yet";
  const built = statSync(buildId).mtimeMs;
  const sources = Math.max(...SOURCE_DIRS.map((d) => newestMtime(root, d)), ...SOURCE_FILES.map((f) => newestMtime(root, f)));
  if (sources > built) return "sources changed since the last build";
  if (readFileSync(buildId, "utf8").trim() !== releaseId(root)) return "built from other sources";
  if (serverActionsKey && builtServerActionsKey(root) !== serverActionsKey) return "built with another GATEHOUSE_SECRET";
  return null;
}

/** Runs `next build` in a child process, its output passed through. */
export function runNextBuild(root: string): Promise<void> {
  const nextBin = createRequire(join(root, "package.json")).resolve("next/dist/bin/next");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, "build"], {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit code ${code})`))));
  });
}
