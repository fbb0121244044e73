import { rmSync } from "node:fs";

// The server has stopped by now (Playwright stops the webServer before teardown): remove its data.
export default function globalTeardown() {
  const dir = process.env.E2E_DATA_DIR;
  if (dir && dir.includes("gatehouse-e2e-")) {
    rmSync(dir, { recursive: true, force: true });
    // The migrated embedded database that servers started by the specs were copied from.
    rmSync(`${dir}-pglite-template`, { recursive: true, force: true });
  }
}
