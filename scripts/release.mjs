// What every instance of one release must agree on, computed the same way by each.
//
// The release id: one hash of everything that goes into `next build` — the app's sources, the
// lockfile (which pins Next and every other package) and the installed Next version. Next uses it
// as the build id and the deployment id (next.config.ts), so instances built on their own from the
// same sources agree on it, and any change to what is built gives a new one.
//
// A hash rather than the git commit: a clone with an uncommitted edit, a tarball without .git and
// a checkout of the same commit at another path must each get the id their contents deserve. Plain
// JavaScript, because Next loads next.config.mjs (compiled from next.config.ts) without a bundler.
import { createHash, hkdfSync } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

/** What `next build` reads from the project (tests and notes excluded: they are never bundled). */
export const RELEASE_SOURCES = {
  dirs: ["app", "components", "lib", "public"],
  files: ["next.config.ts", "postcss.config.mjs", "tsconfig.json", "package.json", "package-lock.json", "proxy.ts", "prisma/schema.prisma"],
  ignored: /(\.test\.tsx?|\.md)$/,
};

function listFiles(root, path, out) {
  const full = join(root, path);
  if (!existsSync(full)) return;
  if (!statSync(full).isDirectory()) {
    if (!RELEASE_SOURCES.ignored.test(path)) out.push(path);
    return;
  }
  for (const entry of readdirSync(full).sort()) listFiles(root, `${path}/${entry}`, out);
}

function installedNextVersion(root) {
  try {
    return createRequire(join(root, "package.json"))("next/package.json").version;
  } catch {
    return "none";
  }
}

/** The release id of the project at `root`: 16 hex digits, the same wherever the tree lies. */
export function releaseId(root) {
  const files = [];
  for (const path of [...RELEASE_SOURCES.dirs, ...RELEASE_SOURCES.files]) listFiles(root, path, files);
  const hash = createHash("sha256");
  hash.update(`next ${installedNextVersion(root)}\0`);
  for (const path of files) {
    const content = readFileSync(join(root, path));
    hash.update(`${path}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * NEXT_SERVER_ACTIONS_ENCRYPTION_KEY for every instance: HKDF-SHA256 of GATEHOUSE_SECRET (which all
 * instances share already), base64 of 32 bytes. Next salts the ids of server actions with this
 * key at build time and encrypts the values a server action closes over with it at run time, so
 * instances that derive the same key give every action the same id and read each other's
 * encrypted values. Same salt and scheme as lib/credentials/derive-secret-keys.ts, its own label.
 */
export function serverActionsKey(gatehouseSecret) {
  return Buffer.from(hkdfSync("sha256", Buffer.from(gatehouseSecret, "utf8"), "gatehouse", "gatehouse/v1/next-server-actions", 32)).toString("base64");
}
