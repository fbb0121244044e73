import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";

const HEADER = "// Generated from next.config.ts at start-up (lib/runtime/compile-next-config.ts). Edit next.config.ts.\n";

/**
 * Writes next.config.mjs from next.config.ts when it differs, so Next loads plain JavaScript (see
 * next.config.ts for why). Returns whether the file changed. Does nothing without a next.config.ts.
 */
export function compileNextConfig(root: string): boolean {
  const source = join(root, "next.config.ts");
  if (!existsSync(source)) return false;
  const { code } = transformSync(readFileSync(source, "utf8"), { loader: "ts", format: "esm", target: "node20" });
  const target = join(root, "next.config.mjs");
  const output = HEADER + code;
  if (existsSync(target) && readFileSync(target, "utf8") === output) return false;
  // Written whole then renamed: a build starting at the same moment never reads half a file.
  writeFileSync(`${target}.tmp`, output);
  renameSync(`${target}.tmp`, target);
  return true;
}
