import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The balancer configuration of the README's recipe, run by the real HAProxy (Debian's package)
// in front of two stand-in instances: round robin without stickiness, X-Forwarded-For, and a
// static file one instance lacks (another release's script) fetched from the other. Skipped where
// HAProxy is not installed.

const haproxy = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].find((path) => spawnSync(path, ["-v"]).status === 0);

/** An instance that has the static files of its own release only. */
function instance(name: string, statics: string[]): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    if (url === "/api/ready") return res.end("ok");
    if (url.startsWith("/_next/static/") && !statics.includes(url)) {
      res.statusCode = 404;
      return res.end();
    }
    res.end(JSON.stringify({ name, method: req.method, url, xff: req.headers["x-forwarded-for"] ?? null }));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const port = (server: Server) => (server.address() as AddressInfo).port;

describe.skipIf(!haproxy)("deploy/haproxy/gatehouse.cfg", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-haproxy-"));
  let old: Server;
  let next: Server;
  let proxy: ChildProcess;
  let url = "";

  beforeAll(async () => {
    old = await instance("old", ["/_next/static/chunks/old.js"]);
    next = await instance("new", ["/_next/static/chunks/new.js"]);
    const listen = 20_000 + Math.floor(Math.random() * 10_000);
    const config = readFileSync(join(__dirname, "gatehouse.cfg"), "utf8")
      .replace(/^\s*log \/dev\/log.*$/m, "")
      .replace("bind :8080", `bind 127.0.0.1:${listen}`)
      .replace(/server gate1 \S+/, `server gate1 127.0.0.1:${port(old)}`)
      .replace(/server gate2 \S+/, `server gate2 127.0.0.1:${port(next)}`)
      .replace(/slowstart \S+/, "");
    writeFileSync(join(dir, "haproxy.cfg"), config);
    expect(spawnSync(haproxy!, ["-c", "-f", join(dir, "haproxy.cfg")]).status).toBe(0);
    proxy = spawn(haproxy!, ["-db", "-f", join(dir, "haproxy.cfg")], { stdio: "ignore" });
    url = `http://127.0.0.1:${listen}`;
    for (let tries = 0; (await fetch(`${url}/api/health`).catch(() => null))?.status !== 200; tries++) {
      if (tries > 100) throw new Error("HAProxy did not start");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(() => {
    proxy?.kill();
    old?.close();
    next?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends requests round robin, without stickiness, with X-Forwarded-For", async () => {
    const names: string[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = (await (await fetch(`${url}/dashboard`, { headers: { cookie: "authjs.session-token=x" } })).json()) as { name: string; xff: string };
      expect(answer.xff).toBe("127.0.0.1");
      names.push(answer.name);
    }
    expect(names.filter((n) => n === "old")).toHaveLength(3);
    expect(names.filter((n) => n === "new")).toHaveLength(3);
  });

  it("finds each release's scripts on the instance that has them; a script no instance has stays 404", async () => {
    for (let i = 0; i < 4; i++) {
      expect((await fetch(`${url}/_next/static/chunks/old.js`)).status).toBe(200);
      expect((await fetch(`${url}/_next/static/chunks/new.js`)).status).toBe(200);
    }
    expect((await fetch(`${url}/_next/static/chunks/gone.js`)).status).toBe(404);
  });
});
