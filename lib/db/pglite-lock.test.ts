import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { DataDirBusyError, lockDataDir } from "./pglite-lock";

const here = fileURLToPath(new URL(".", import.meta.url));
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-lock-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("lockDataDir", () => {
  it("takes over a lock left by a killed process, saying so in one line that names the file", () => {
    const pid = deadPid();
    const file = join(dir, "gatehouse.pid");
    writeFileSync(file, String(pid));
    const notices: string[] = [];
    const release = lockDataDir(dir, { notice: (line) => notices.push(line) });
    expect(readFileSync(file, "utf8")).toBe(String(process.pid));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(file);
    expect(notices[0]).toContain(`process ${pid}`);
    expect(notices[0]?.trimEnd()).not.toContain("\n");
    release();
    expect(existsSync(file)).toBe(false);
  });

  it("takes over an unreadable lock file too", () => {
    writeFileSync(join(dir, "gatehouse.pid"), "");
    const notices: string[] = [];
    lockDataDir(dir, { notice: (line) => notices.push(line) })();
    expect(notices[0]).toContain(join(dir, "gatehouse.pid"));
  });

  it("refuses a directory that a live process holds, and says nothing about stale locks", () => {
    writeFileSync(join(dir, "gatehouse.pid"), String(process.ppid));
    const notices: string[] = [];
    expect(() => lockDataDir(dir, { notice: (line) => notices.push(line) })).toThrow(DataDirBusyError);
    expect(notices).toEqual([]);
  });

  it.each([
    ["process.exit", "process.exit(0);"],
    ["an uncaught exception", "setTimeout(() => { throw new Error('boom'); }, 10);"],
    ["an unhandled rejection", "void Promise.reject(new Error('boom'));"],
  ])(
    "is released when the process ends by %s",
    async (_name, ending) => {
      const source = `import { lockDataDir } from ${JSON.stringify(join(here, "pglite-lock.ts"))};\nlockDataDir(${JSON.stringify(dir)});\n${ending}`;
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", source], { cwd: join(here, "../.."), stdio: "ignore" });
      await new Promise((resolve) => child.once("exit", resolve));
      expect(existsSync(join(dir, "gatehouse.pid"))).toBe(false);
    },
    15_000,
  );
});
