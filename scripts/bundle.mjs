// Bundles one of our TypeScript entry points (server.ts, cli/index.ts) and the modules it imports
// into one CommonJS file in build/server with esbuild, for `npm start` and `npm run gatehouse`.
//
// Running TypeScript through tsx instead keeps a loader in the process: Node runs module hooks on
// a thread of their own with a second V8 heap, and every imported file crosses to that thread to be
// resolved and compiled (the CLI's `--help` took 4.7 s that way on two cores, 1.3 s bundled). A
// bundle needs none of that. Bundling takes a fraction of a second, so it is done on every run and
// the bundle is never stale.
import { build, stop } from "esbuild";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Bundles `entry` (relative to the project root) into build/server/`name`.cjs and runs it in this process. */
export async function bundleAndRun(entry, name) {
  const outfile = join(root, "build", "server", `${name}.cjs`);
  const result = await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    tsconfig: join(root, "tsconfig.json"),
    write: false,
    logLevel: "error",
    // CommonJS has no import.meta: give each module the bundle's own URL.
    define: { "import.meta.url": "__bundleUrl" },
    banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    plugins: [
      {
        name: "packages",
        setup(b) {
          // Domain modules import "server-only" to keep them out of client bundles; here it is empty
          // (scripts/node-hooks.mjs does the same for the processes tsx runs).
          b.onResolve({ filter: /^server-only$/ }, () => ({ path: "server-only", namespace: "empty" }));
          b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "export {};" }));
          // Packages load from node_modules, except Auth.js: its ES modules import Next's subpaths
          // without extensions ("next/server"), which Node's own loader refuses and a bundler resolves.
          // ("@/…" is this project's own path alias.)
          b.onResolve({ filter: /^[^./]/ }, (args) => (/^(@\/|next-auth|@auth\/)/.test(args.path) ? undefined : { path: args.path, external: true }));
        },
      },
    ],
  });
  // Written aside and renamed: processes starting together in one checkout never read half a file.
  mkdirSync(dirname(outfile), { recursive: true });
  const partial = `${outfile}.${process.pid}.tmp`;
  writeFileSync(partial, result.outputFiles[0].contents);
  renameSync(partial, outfile);
  await stop(); // esbuild's own process is not needed any more
  createRequire(import.meta.url)(outfile);
}
