import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createLogger } from "./logger";
import { NonBlockingOutput, SpillFile } from "./nonblocking-output";

const here = fileURLToPath(new URL(".", import.meta.url));
let dir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-output-"));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** A stream that takes lines at once, or (`stalled`) never acknowledges them, like a full pipe. */
function sink(options: { stalled?: boolean } = {}) {
  const taken: string[] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      taken.push(chunk);
      if (!options.stalled) callback();
    },
  });
  return { stream, taken };
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

describe("NonBlockingOutput", () => {
  it("passes lines through to a stream that keeps up, and flushes at once", async () => {
    const { stream, taken } = sink();
    const spill = new SpillFile(join(dir, "spill.log"));
    const out = new NonBlockingOutput(stream, { name: "stdout", spill: () => spill });
    out.write("one\n");
    out.write("two\n");
    await new Promise<void>((resolve) => out.flush(() => resolve()));
    expect(taken).toEqual(["one\n", "two\n"]);
    expect(out.stats()).toMatchObject({ written: 2, spilled: 0, dropped: 0, pendingBytes: 0, failed: undefined });
    expect(existsSync(spill.path)).toBe(false);
  });

  it("after the stream fails (EPIPE), spills what it had not taken and every later line, without throwing", async () => {
    const { stream } = sink({ stalled: true });
    const spill = new SpillFile(join(dir, "spill.log"));
    const out = new NonBlockingOutput(stream, { name: "stdout", spill: () => spill });
    out.write("waiting\n");
    stream.destroy(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => out.write("after\n")).not.toThrow();
    const text = readFileSync(spill.path, "utf8");
    expect(lines(text)).toEqual([expect.stringContaining("stdout failed (EPIPE)"), "waiting", "after"]);
    expect(out.stats()).toMatchObject({ spilled: 2, failed: "EPIPE", pendingBytes: 0 });
  });

  it("stops queueing behind a reader that does not read: past the limit, lines go to the spill file", () => {
    const { stream } = sink({ stalled: true });
    const spill = new SpillFile(join(dir, "spill.log"));
    const out = new NonBlockingOutput(stream, { name: "stdout", maxPendingBytes: 100, spill: () => spill });
    const started = Date.now();
    for (let i = 0; i < 1_000; i++) out.write(`line ${String(i).padStart(4, "0")} ${"x".repeat(20)}\n`);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(stream.writableLength).toBe(4 * 31); // 4 lines of 31 bytes reach the limit
    const spilledLines = lines(readFileSync(spill.path, "utf8"));
    expect(spilledLines[0]).toContain("stdout is not being read");
    expect(spilledLines).toHaveLength(1 + 996);
    expect(spilledLines[1]).toMatch(/^line 0004 /);
    expect(out.stats()).toMatchObject({ written: 0, spilled: 996, pendingBytes: 124 });
  });

  it("goes back to the stream once the reader catches up", () => {
    const callbacks: (() => void)[] = [];
    const taken: string[] = [];
    const stream = new Writable({
      decodeStrings: false,
      write(chunk: string, _encoding, callback) {
        taken.push(chunk);
        callbacks.push(callback);
      },
    });
    const spill = new SpillFile(join(dir, "spill.log"));
    const out = new NonBlockingOutput(stream, { name: "stdout", maxPendingBytes: 10, spill: () => spill });
    out.write("aaaaaaaaaa\n");
    out.write("spilled\n");
    for (const callback of callbacks.splice(0)) callback();
    out.write("back\n");
    expect(taken).toEqual(["aaaaaaaaaa\n", "back\n"]);
    expect(lines(readFileSync(spill.path, "utf8")).slice(1)).toEqual(["spilled"]);
  });

  it("a flush that cannot complete calls back within its timeout and spills the lines still waiting", async () => {
    const { stream } = sink({ stalled: true });
    const spill = new SpillFile(join(dir, "spill.log"));
    const out = new NonBlockingOutput(stream, { name: "stdout", flushTimeoutMs: 50, spill: () => spill });
    out.write("last words\n");
    const started = Date.now();
    await new Promise<void>((resolve) => out.flush(() => resolve()));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(lines(readFileSync(spill.path, "utf8")).slice(1)).toEqual(["last words"]);
    out.spillPending("exit"); // already spilled once: not written again
    expect(lines(readFileSync(spill.path, "utf8")).filter((l) => l === "last words")).toHaveLength(1);
  });

  it("drops and counts lines when there is no spill file, or when a line must not be spilled", () => {
    const { stream } = sink({ stalled: true });
    const spill = new SpillFile(join(dir, "spill.log"));
    const current: { file?: SpillFile } = {};
    const out = new NonBlockingOutput(stream, { name: "stderr", maxPendingBytes: 1, spill: () => current.file });
    out.write("taken\n");
    out.write("dropped\n");
    current.file = spill;
    out.write("secret link\n", { spill: false });
    expect(out.stats()).toMatchObject({ dropped: 2, spilled: 0 });
    expect(existsSync(spill.path)).toBe(false);
  });

  it("does not spill a line marked so even when it was waiting for the stream", async () => {
    const { stream } = sink({ stalled: true });
    const spill = new SpillFile(join(dir, "spill.log"));
    const out = new NonBlockingOutput(stream, { name: "stdout", flushTimeoutMs: 20, spill: () => spill });
    out.write("secret link\n", { spill: false });
    out.write("plain\n");
    await new Promise<void>((resolve) => out.flush(() => resolve()));
    stream.destroy(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    await new Promise((resolve) => setImmediate(resolve));
    out.spillPending("exit");
    const text = readFileSync(spill.path, "utf8");
    expect(text).not.toContain("secret link");
    expect(lines(text).filter((l) => l === "plain")).toHaveLength(1);
  });

  it("never blocks on a real pipe whose reader stopped reading, nor fails when the reader is gone", async () => {
    const reader = spawn("sleep", ["30"], { stdio: ["pipe", "ignore", "ignore"] });
    children.push(reader);
    const spill = new SpillFile(join(dir, "spill.log"));
    const out = new NonBlockingOutput(reader.stdin!, { name: "stdout", maxPendingBytes: 64 * 1024, spill: () => spill });
    const line = `${"y".repeat(199)}\n`;
    const started = Date.now();
    for (let i = 0; i < 20_000; i++) out.write(line); // 4 MB: more than the kernel holds
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(out.stats().pendingBytes).toBeLessThan(64 * 1024 + line.length);
    expect(out.stats().spilled).toBeGreaterThan(10_000);

    reader.kill("SIGKILL");
    await new Promise((resolve) => reader.once("exit", resolve));
    await expect.poll(() => out.stats().pendingBytes, { timeout: 5_000 }).toBe(0);
    out.write("after the reader\n"); // fails with EPIPE: the reader is gone
    await expect.poll(() => out.stats().failed, { timeout: 5_000 }).toBe("EPIPE");
    expect(readFileSync(spill.path, "utf8").trimEnd().endsWith("after the reader")).toBe(true);
  });

  it("spills lines that are still waiting when the process exits, and exits at once", async () => {
    // A child whose stdout is a pipe this test fills and never reads: what hung pino's exit flush.
    const script = join(dir, "child.ts");
    writeFileSync(
      script,
      [
        `import { stdout, spillOutputTo } from ${JSON.stringify(join(here, "stdio.ts"))};`,
        `import { createLogger } from ${JSON.stringify(join(here, "logger.ts"))};`,
        `spillOutputTo(${JSON.stringify(join(dir, "child-spill.log"))});`,
        `const log = createLogger({ level: "info" });`,
        `setTimeout(() => { for (let i = 0; i < 50; i++) log.info({ i }, "line"); stdout.write("progress line\\n"); process.exit(3); }, 300);`,
      ].join("\n"),
    );
    const reader = spawn("sleep", ["30"], { stdio: ["pipe", "ignore", "ignore"] });
    children.push(reader);
    reader.stdin!.on("error", () => {});
    reader.stdin!.write(Buffer.alloc(8 * 1024 * 1024, "x"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", reader.stdin!, "pipe"], cwd: join(here, "../..") });
    children.push(child);
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code, stderr).toBe(3);
    expect(Date.now() - started).toBeLessThan(10_000);
    const spilledLines = lines(readFileSync(join(dir, "child-spill.log"), "utf8"));
    expect(spilledLines.filter((l) => l.includes('"msg":"line"'))).toHaveLength(50);
    expect(spilledLines.at(-1)).toBe("progress line");
  }, 20_000);

  it("is what the logger writes to: a broken stdout never throws into a log call", () => {
    const { stream } = sink();
    stream.destroy(Object.assign(new Error("write EIO"), { code: "EIO" }));
    const out = new NonBlockingOutput(stream, { name: "stdout", spill: () => undefined });
    const log = createLogger({ level: "info", destination: out });
    expect(() => log.info("still fine")).not.toThrow();
  });
});

describe("SpillFile", () => {
  it("keeps the newest lines: past its size it starts over and keeps one previous file", () => {
    const spill = new SpillFile(join(dir, "sub", "spill.log"), { maxBytes: 100 });
    for (let i = 0; i < 30; i++) expect(spill.append(`line ${String(i).padStart(2, "0")}\n`)).toBe(true);
    const current = lines(readFileSync(spill.path, "utf8"));
    const previous = lines(readFileSync(`${spill.path}.1`, "utf8"));
    expect(current.at(-1)).toBe("line 29");
    expect([...previous, ...current]).toEqual(
      Array.from({ length: previous.length + current.length }, (_, k) => `line ${String(30 - previous.length - current.length + k).padStart(2, "0")}`),
    );
    expect(readFileSync(spill.path).length).toBeLessThanOrEqual(100);
  });

  it("reports failure instead of throwing when the file cannot be written", () => {
    writeFileSync(join(dir, "not-a-dir"), "");
    const spill = new SpillFile(join(dir, "not-a-dir", "spill.log"));
    expect(spill.append("x\n")).toBe(false);
    expect(spill.append("y\n")).toBe(false);
  });
});
