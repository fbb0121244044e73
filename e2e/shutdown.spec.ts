import { expect, test } from "@playwright/test";
import { expectAllBilled, loadThenSignal } from "./fixtures/billed-load";
import { createPostgresDatabase, startServerProcess } from "./fixtures/server-process";

// SIGTERM while the gateway is busy: requests in flight finish, and every answered request has its
// log row and ledger debit in the database once the process has exited. A second server on
// PostgreSQL (the build is already there from the main test server), so it can be stopped.
// e2e/shutdown-signals.spec.ts covers the other signals, a broken stdout and the embedded database.
test("SIGTERM during load loses no request log or ledger rows", async () => {
  test.setTimeout(180_000);
  const db = await createPostgresDatabase("gatehouse_sigterm");
  const server = await startServerProcess({ DATABASE_URL: db.url, SHUTDOWN_DRAIN_MS: "20000" });
  try {
    const load = await loadThenSignal(server, "SIGTERM");
    expect(load.exitCode, server.output()).toBe(0);
    await expectAllBilled((sql) => db.query(sql), load.answered);
  } finally {
    await server.stop("SIGKILL");
    await db.drop();
  }
});
