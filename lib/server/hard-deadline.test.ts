import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const modulePath = join(fileURLToPath(new URL(".", import.meta.url)), "hard-deadline.ts");
const root = join(fileURLToPath(new URL(".", import.meta.url)), "../..");

/** Runs `body` in a child process that has `armHardDeadline` imported; resolves with how it ended. */
function run(body: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const source = `import { armHardDeadline } from ${JSON.stringify(modulePath)};\n${body}`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", source], { cwd: root, stdio: "ignore" });
  const started = Date.now();
  const stray = setTimeout(() => child.kill("SIGKILL"), 10_000); // a failed test leaves no busy process
  return new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      clearTimeout(stray);
      resolve({ code, signal, ms: Date.now() - started });
    }),
  );
}

describe("armHardDeadline", () => {
  it("kills the process even while its main thread is blocked", async () => {
    // The child blocks its main thread for good: no timer or signal handler could run.
    const result = await run(`armHardDeadline(300); setTimeout(() => { for (;;) {} }, 50);`);
    expect(result.signal).toBe("SIGKILL");
    expect(result.ms).toBeLessThan(5_000); // the stray-process guard would take 10 s
  }, 15_000);

  it("does nothing once disarmed, and does not keep a finished process alive", async () => {
    const disarmed = await run(`const disarm = armHardDeadline(300); disarm(); setTimeout(() => process.exit(7), 800);`);
    expect(disarmed).toMatchObject({ code: 7, signal: null });
    const idle = await run(`armHardDeadline(60_000);`);
    expect(idle).toMatchObject({ code: 0, signal: null });
    expect(idle.ms).toBeLessThan(5_000);
  }, 15_000);
});
