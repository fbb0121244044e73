import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";

// Prisma's migration commands need a native schema engine that cannot be downloaded on machines
// that reach only the npm registry. The same engine ships as WebAssembly on npm and works through
// a driver adapter, on PGlite and on a PostgreSQL server alike. Its JS glue imports the .wasm file
// as an ES module, which Node cannot do, so we instantiate the module ourselves.

type Bindings = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");

let bindings: Promise<Bindings> | undefined;

async function loadBindings(): Promise<Bindings> {
  const glue = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as Bindings & {
    __wbg_set_wasm(exports: WebAssembly.Exports): void;
  };
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/\.js$/, ".wasm");
  const wasmModule = await WebAssembly.compile(await readFile(wasmPath));
  const instance = await WebAssembly.instantiate(wasmModule, {
    "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports,
  });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
  return glue;
}

export const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** Opens a schema engine that talks to the database behind `factory`. Call `engine.free()` after. */
export async function openSchemaEngine(factory: SqlMigrationAwareDriverAdapterFactory, datamodels?: [string, string][]): Promise<SchemaEngine> {
  bindings ??= loadBindings();
  const { SchemaEngine } = await bindings;
  const log = () => {};
  return SchemaEngine.new({ datamodels }, log, bindMigrationAwareSqlAdapterFactory(factory));
}

export type { MigrationList };
