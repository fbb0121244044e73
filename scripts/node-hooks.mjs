// Registered with `node --import ./scripts/node-hooks.mjs` for the processes we run outside Next's
// bundler (the server, the CLI, scripts). Domain modules import "server-only" so that a client
// bundle can never include them; outside a bundle that package throws on import, so here it
// resolves to an empty module instead.
import { register } from "node:module";

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,export%20%7B%7D", shortCircuit: true };
  return next(specifier, context);
}`)}`,
);
