/**
 * Process-wide state: the value named `name`, created by `init` the first time any copy of this
 * module asks for it.
 *
 * Why on `globalThis`: one process runs two bundles of the same modules. `server.ts` is its own
 * esbuild bundle (or runs under tsx) and answers the gateway; Next's server bundles hold the pages,
 * actions and route handlers. Each bundle has its own copy of every module, so module-level state
 * would exist twice: two key caches (an invalidation reaching one), two loggers, two shutdown
 * registries, two embedded databases on one directory. State kept here exists once.
 *
 * Values that must be replaced (a database handle closed and reopened, a configuration reset in
 * tests) are kept in a slot object (`{ current?: T }`) so every copy sees the replacement.
 *
 * No `server-only` import: server.ts loads this module outside Next's bundler.
 */
const REGISTRY = Symbol.for("gatehouse.processSingletons");
type WithRegistry = typeof globalThis & { [REGISTRY]?: Map<string, unknown> };

export function processSingleton<T>(name: string, init: () => T): T {
  const g = globalThis as WithRegistry;
  const registry = (g[REGISTRY] ??= new Map());
  if (!registry.has(name)) registry.set(name, init());
  return registry.get(name) as T;
}
