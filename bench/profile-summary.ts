/**
 * Summarises V8 CPU profiles (`npm run bench -- --profile gateway|gateway-pglite|floor` writes them):
 * self time by area (Next, undici, Prisma/pg, the app's own bundled code, GC, idle...) and the
 * functions with the most self time.
 *
 *   node --import tsx bench/profile-summary.ts /tmp/gatehouse-bench-profile-XXXX/*.cpuprofile [--top 40] [--window 20 --skip-end 1]
 *
 * --inclusive adds the functions by inclusive time (their own and their callees', each counted once
 * per sample however deep it recurses): where a step of the request path spends, wherever it goes.
 *
 * --window S keeps only S seconds of samples that end --skip-end seconds before the profile ends
 * (the load phases; start-up and shutdown left out).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const AREAS: [string, RegExp][] = [
  ["idle", /^\(idle\)$/],
  ["GC", /^\(garbage collector\)$/],
  ["V8/native (program)", /^\((program|root)\)$/],
  ["undici", /undici/],
  ["Prisma client/runtime", /@prisma|prisma\/|\/generated\/prisma/],
  ["pg driver", /node_modules\/pg(-[a-z]+)?\//],
  ["PGlite", /pglite/],
  ["pino", /pino|thread-stream|sonic-boom/],
  ["Next.js (server runtime)", /node_modules\/next\//],
  ["React", /react-dom|node_modules\/react\//],
  ["app code (bundled .next chunks)", /\.next\/server/],
  ["tsx / loaders", /node_modules\/(tsx|esbuild|get-tsconfig)/],
  ["project TS (server.ts, lib/ outside Next)", /\/work\/|file:\/\/\//],
  ["Node.js internals", /^node:|^internal\//],
];

/**
 * A WebAssembly frame (PGlite's PostgreSQL, undici's HTTP parser) is counted in the area of the
 * JavaScript that called into it (past the native frames between them); the URL of a WASM module
 * names only its hash.
 */
function areaOf(node: ProfileNode, parents: Map<number, ProfileNode>): string {
  if (!node.callFrame.url.startsWith("wasm://")) return area(node.callFrame);
  let at = parents.get(node.id);
  while (at && (at.callFrame.url === "" || at.callFrame.url.startsWith("wasm://"))) at = parents.get(at.id);
  return at ? area(at.callFrame) : "WebAssembly";
}

function area(frame: CallFrame): string {
  const key = frame.url || frame.functionName;
  for (const [name, pattern] of AREAS) if (pattern.test(key)) return name;
  return frame.url ? "other JS" : "native / builtins";
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: "string", default: "40" },
    window: { type: "string" },
    "skip-end": { type: "string", default: "0" },
    inclusive: { type: "boolean", default: false },
  },
});
if (positionals.length === 0) {
  console.error("usage: bench/profile-summary.ts FILE.cpuprofile... [--top N] [--window S --skip-end S] [--inclusive]");
  process.exit(2);
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n);
  const self = new Map<number, number>();
  // Sample times in µs from the profile's start, to cut a window.
  const times: number[] = [];
  let at = 0;
  for (const delta of profile.timeDeltas) times.push((at += delta));
  const end = (times[times.length - 1] ?? 0) - Number(values["skip-end"]) * 1e6;
  const start = values.window ? end - Number(values.window) * 1e6 : -Infinity;
  for (let i = 0; i < profile.samples.length; i++) {
    const t = times[i] ?? 0;
    if (t < start || t > end) continue;
    const id = profile.samples[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()].filter(([id]) => byId.get(id)?.callFrame.functionName === "(idle)").reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;

  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, t] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const a = areaOf(node, parents);
    areas.set(a, (areas.get(a) ?? 0) + t);
    if (a === "idle") continue;
    const name = nameOf(node);
    functions.set(name, (functions.get(name) ?? 0) + t);
    if (values.inclusive) {
      const seen = new Set<string>();
      for (let up: ProfileNode | undefined = node; up; up = parents.get(up.id)) seen.add(nameOf(up));
      for (const n of seen) inclusive.set(n, (inclusive.get(n) ?? 0) + t);
    }
  }

  const pct = (t: number, of: number) => `${((100 * t) / of).toFixed(1).padStart(5)} %`;
  console.log(
    `\n${file}\n  ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (${pct(busy, total).trim()})\n\n  Self time by area (share of busy time):`,
  );
  for (const [name, t] of [...areas.entries()].filter(([n]) => n !== "idle").sort((a, b) => b[1] - a[1])) {
    console.log(`    ${pct(t, busy)}  ${name}`);
  }
  console.log(`\n  Top ${values.top} functions by self time:`);
  for (const [name, t] of [...functions.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
    console.log(`    ${pct(t, busy)}  ${name.slice(0, 160)}`);
  }
  if (values.inclusive) {
    console.log(`\n  Top ${values.top} functions by inclusive time (idle left out):`);
    const busyOnly = [...inclusive.entries()].filter(([name]) => !/^\((root|idle|program|garbage collector)\)/.test(name));
    for (const [name, t] of busyOnly.sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
      console.log(`    ${pct(t, busy)}  ${name.slice(0, 160)}`);
    }
  }
}

function nameOf(node: ProfileNode): string {
  const where = node.callFrame.url ? `${node.callFrame.url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "")}:${node.callFrame.lineNumber + 1}` : "";
  return `${node.callFrame.functionName || "(anonymous)"} ${where}`.trim();
}
