// `npm start`: bundles server.ts and the modules it imports into one CommonJS file with esbuild,
// then runs that file in this process.
//
// Running server.ts through tsx would keep a TypeScript loader in the production server for its
// whole life: Node runs module hooks on a thread of their own with a second V8 heap, tsx turns on
// source-map support, and every required file passes through its hooks. The bundle needs none of
// that (about 110 MB less resident memory at rest). Bundling takes a fraction of a second, so it
// is done on every start and the bundle is never stale.
import { build, stop } from "esbuild";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// A stdout or stderr whose reader has gone (EPIPE) reports it as an 'error' event, which with no
// listener is an uncaught exception. From the bundle on, lib/server/stdio.ts handles these streams;
// until then, losing a line is better than dying of it.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "build", "server", "server.cjs");

const result = await build({
  entryPoints: [join(root, "server.ts")],
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

// Written aside and renamed: instances starting together in one checkout never read half a file.
mkdirSync(dirname(outfile), { recursive: true });
const partial = `${outfile}.${process.pid}.tmp`;
writeFileSync(partial, result.outputFiles[0].contents);
renameSync(partial, outfile);
await stop(); // esbuild's own process is not needed any more

createRequire(import.meta.url)(outfile);
