import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect, it } from "vitest";

// The capability folders of lib/ depend on each other in one direction only: a cycle between two
// folders (even through files that do not import each other) means a capability has been split
// or lives in the wrong place. Type-only imports are left out: they vanish at run time.

const LIB = __dirname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

function folderOf(path: string): string | null {
  const parts = relative(LIB, path).split("/");
  return parts.length > 1 ? parts[0]! : null;
}

/** folder → folder it imports → one file that does, for the message. */
function folderImports(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(LIB)) {
    const from = folderOf(file);
    if (!from) continue;
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"/g)) {
      if (m[1]) continue;
      const spec = m[2]!;
      const to = spec.startsWith("@/lib/") ? spec.slice(6).split("/")[0]! : spec.startsWith(".") ? folderOf(resolve(dirname(file), spec)) : null;
      if (!to || to === from) continue;
      const out = edges.get(from) ?? new Map<string, string>();
      if (!out.has(to)) out.set(to, relative(LIB, file));
      edges.set(from, out);
    }
  }
  return edges;
}

it("no two capability folders import each other, directly or around a cycle", () => {
  const edges = folderImports();
  const cycles: string[] = [];
  const visit = (start: string, node: string, path: string[]) => {
    for (const [next, file] of edges.get(node) ?? []) {
      const step = [...path, `${next} (${file})`];
      if (next === start) cycles.push(step.join(" → "));
      else if (!path.some((p) => p.startsWith(`${next} `)) && next > start) visit(start, next, step);
    }
  };
  for (const folder of edges.keys()) visit(folder, folder, [folder]);
  expect(cycles).toEqual([]);
  // The check sees the imports it is about.
  expect(edges.get("gateway")?.has("billing")).toBe(true);
});
