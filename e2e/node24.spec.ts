import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, test } from "@playwright/test";
import { startServerProcess, type ServerProcess } from "./fixtures/server-process";

// The project on a current Node beside the Node 20 everything else runs on: `npm start` (the same
// scripts/start.mjs and build), health, a streamed gateway answer, the newest majors of the official
// SDKs with their default options (compat/node24/sdks.test.ts). The Node
// binary and the SDKs are pinned exactly in compat/node24/package.json; `.ci/run` installs that
// folder, and this spec does when it is missing.

const COMPAT = resolve("compat/node24");
const NODE24 = join(COMPAT, "node_modules", `node-${process.platform}-${process.arch}`, "bin", "node");

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }) {
  return new Promise<{ code: number | null; output: string }>((done) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

test.describe("Node 24", () => {
  test.describe.configure({ timeout: 180_000 });
  let server: ServerProcess;
  let key: string;

  test.beforeAll(async () => {
    test.setTimeout(300_000);
    if (!existsSync(NODE24)) {
      const installed = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: COMPAT, encoding: "utf8", timeout: 240_000 });
      expect(installed.status, `${installed.stdout}\n${installed.stderr}`).toBe(0);
    }
    expect(existsSync(NODE24), `no Node 24 in compat/node24 for ${process.platform}-${process.arch}: it pins the Linux x64 and arm64 builds`).toBe(true);
    server = await startServerProcess({}, { node: NODE24 });
    const plan = `Node24 ${randomBytes(3).toString("hex")}`;
    await server.cli(
      "plan",
      "add",
      "--name",
      plan,
      "--models",
      "gpt-4.1-mini,claude-sonnet-4-6,gemini-2.5-flash,gemini-embedding-001",
      "--days",
      "1",
      "--rpm",
      "1000",
    );
    key = (await server.cli<{ apiKey: { key: string } }>("order", "create", "--email", `node24-${randomBytes(3).toString("hex")}@example.com`, "--plan", plan))
      .apiKey.key;
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  /** The request log's row for an answer (null until the usage writer has written it). */
  async function loggedRequest(requestId: string) {
    const out = await server.cli<{ request: { status: number; model: string; outputTokens: number } }>("request", "show", requestId).catch(() => null);
    return out?.request ?? null;
  }

  test("npm start runs on it: healthy, and a streamed answer (SSE deltas) is metered once", async () => {
    expect(spawnSync(NODE24, ["--version"], { encoding: "utf8" }).stdout).toMatch(/^v24\./);
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });

    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4.1-mini", stream: true, max_tokens: 12, messages: [{ role: "user", content: "count on node 24" }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    let body = "";
    const decoder = new TextDecoder();
    for await (const chunk of res.body!) body += decoder.decode(chunk, { stream: true });
    const deltas = body.split("\n").filter((line) => line.startsWith("data: {") && line.includes('"content":'));
    expect(deltas.length).toBeGreaterThan(3);
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    const requestId = res.headers.get("x-request-id")!;
    await expect.poll(async () => (await loggedRequest(requestId))?.outputTokens, { timeout: 10_000 }).toBe(12);
  });

  test("the newest SDK majors, default options: openai 7, @anthropic-ai/sdk, @google/genai 3 — each answer metered", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-node24-"));
    const idsFile = join(dir, "request-ids.txt");
    try {
      const { code, output } = await run(NODE24, ["--test", "--test-reporter=spec", "sdks.test.ts"], {
        cwd: COMPAT,
        env: { ...process.env, HOME: dir, GATEHOUSE_URL: server.url, GATEHOUSE_KEY: key, REQUEST_IDS_FILE: idsFile },
        timeoutMs: 120_000,
      });
      expect(code, output).toBe(0);
      expect(output).toMatch(/pass 4\b/);
      const answered = readFileSync(idsFile, "utf8")
        .trim()
        .split("\n")
        .map((line) => line.split(" ") as [string, string]);
      expect(answered.length).toBe(6);
      for (const [requestId, model] of answered) {
        await expect.poll(async () => (await loggedRequest(requestId))?.model, { timeout: 30_000 }).toBe(model);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
