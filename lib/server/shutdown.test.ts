import { once } from "node:events";
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import {
  DEADLINE_MARGIN_MS,
  installGracefulShutdown,
  isDraining,
  ShutdownRegistry,
  SHUTDOWN_ORDER_LAST,
  type GracefulShutdown,
  type GracefulShutdownOptions,
  type ShutdownLogger,
} from "./shutdown";

interface LogEntry {
  level: "info" | "warn" | "error";
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function recordingLogger(): ShutdownLogger & { entries: LogEntry[]; messages: (level?: LogEntry["level"]) => string[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry["level"]) => (obj: object, msg?: string) => {
    entries.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  return {
    entries,
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    messages: (level) => entries.filter((e) => level === undefined || e.level === level).map((e) => e.msg ?? ""),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("ShutdownRegistry", () => {
  it("runs hooks by order, then registration order, once", async () => {
    const registry = new ShutdownRegistry();
    const ran: string[] = [];
    registry.register("db", () => void ran.push("db"), { order: SHUTDOWN_ORDER_LAST });
    registry.register("metering", async () => {
      await sleep(20);
      ran.push("metering");
    });
    registry.register("first", () => void ran.push("first"), { order: -1 });
    registry.register("audit", () => void ran.push("audit"));
    const log = recordingLogger();

    const report = await registry.runAll({ logger: log });
    expect(ran).toEqual(["first", "metering", "audit", "db"]);
    expect(report.ok).toBe(true);
    expect(report.hooks.map((h) => [h.name, h.status])).toEqual([
      ["first", "ok"],
      ["metering", "ok"],
      ["audit", "ok"],
      ["db", "ok"],
    ]);
    expect(await registry.runAll({ logger: log })).toBe(report);
    expect(ran).toHaveLength(4);
  });

  it("logs a throwing, rejecting or hanging hook and still runs the others", async () => {
    const registry = new ShutdownRegistry();
    const ran: string[] = [];
    registry.register("throws", () => {
      throw new Error("flush exploded");
    });
    registry.register("rejects", () => Promise.reject(new Error("disconnect refused")));
    registry.register("hangs", () => new Promise<void>(() => {}), { timeoutMs: 50 });
    registry.register("after", () => void ran.push("after"));
    const log = recordingLogger();

    const report = await registry.runAll({ logger: log });
    expect(ran).toEqual(["after"]);
    expect(report.ok).toBe(false);
    expect(report.hooks.map((h) => h.status)).toEqual(["failed", "failed", "timeout", "ok"]);
    const errors = log.entries.filter((e) => e.level === "error");
    expect(errors.map((e) => [e.obj.hook, e.msg])).toEqual([
      ["throws", "shutdown hook failed"],
      ["rejects", "shutdown hook failed"],
      ["hangs", "shutdown hook timed out"],
    ]);
    expect((errors[0]?.obj.err as Error).message).toBe("flush exploded");
  });

  it("unregisters a hook", async () => {
    const registry = new ShutdownRegistry();
    const ran: string[] = [];
    const off = registry.register("gone", () => void ran.push("gone"));
    registry.register("kept", () => void ran.push("kept"));
    off();
    expect(registry.size).toBe(1);
    await registry.runAll({ logger: recordingLogger() });
    expect(ran).toEqual(["kept"]);
  });
});

describe("process-wide registry", () => {
  it("is shared by separately loaded copies of the module", async () => {
    const first = await import("./shutdown");
    vi.resetModules();
    const second = await import("./shutdown");
    expect(second).not.toBe(first);

    const ran: string[] = [];
    first.onShutdown("db", () => void ran.push("db"), { order: first.SHUTDOWN_ORDER_LAST });
    second.onShutdown("metering", () => void ran.push("metering"));
    const report = await first.runShutdownHooks({ logger: recordingLogger() });
    expect(ran).toEqual(["metering", "db"]);
    expect(await second.runShutdownHooks()).toBe(report);
  });
});

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function request(port: number, path: string, agent: http.Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("installGracefulShutdown", () => {
  const servers: http.Server[] = [];
  const handles: GracefulShutdown[] = [];
  const agents: http.Agent[] = [];
  let baseline: { term: number; int: number; hup: number };
  let events: string[];

  beforeEach(() => {
    baseline = { term: process.listenerCount("SIGTERM"), int: process.listenerCount("SIGINT"), hup: process.listenerCount("SIGHUP") };
    events = [];
  });

  afterEach(async () => {
    for (const handle of handles.splice(0)) handle.uninstall();
    for (const agent of agents.splice(0)) agent.destroy();
    await Promise.all(
      servers.splice(0).map((server) => {
        server.closeAllConnections();
        return server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined;
      }),
    );
    expect(process.listenerCount("SIGTERM")).toBe(baseline.term);
    expect(process.listenerCount("SIGINT")).toBe(baseline.int);
    expect(process.listenerCount("SIGHUP")).toBe(baseline.hup);
    expect(isDraining()).toBe(false);
  });

  /** Routes: `/fast`, `/slow` (500 ms), `/stream` (SSE, 300 ms), `/hang` (never ends), `/health`, `/slow-health` (200 ms). */
  async function startServer(): Promise<{ server: http.Server; port: number }> {
    const server = http.createServer((req, res) => {
      res.on("finish", () => events.push(`finished ${req.url}`));
      if (req.url === "/slow") {
        setTimeout(() => res.end("slow done"), 500);
      } else if (req.url === "/stream") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: first\n\n");
        setTimeout(() => res.end("data: last\n\n"), 300);
      } else if (req.url === "/hang") {
        events.push("hanging");
      } else if (req.url === "/health") {
        res.statusCode = isDraining() ? 503 : 200;
        res.end();
      } else if (req.url === "/slow-health") {
        setTimeout(() => {
          res.statusCode = isDraining() ? 503 : 200;
          res.end();
        }, 200);
      } else {
        res.end("fast");
      }
    });
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return { server, port: (server.address() as AddressInfo).port };
  }

  function install(server: http.Server, options: GracefulShutdownOptions = {}) {
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    const exitCalls: number[] = [];
    const log = recordingLogger();
    const registry = options.registry ?? new ShutdownRegistry();
    const handle = installGracefulShutdown(server, {
      logger: log,
      registry,
      ...options,
      exit: (code) => {
        exitCalls.push(code);
        events.push(`exit ${code}`);
        resolveExit(code);
      },
    });
    handles.push(handle);
    return { handle, exited, exitCalls, log, registry };
  }

  it("finishes the in-flight request, refuses new connections, then runs hooks in order and exits 0", async () => {
    const { server, port } = await startServer();
    const { exited, exitCalls, registry, log } = install(server, { drainTimeoutMs: 5_000 });
    registry.register("db", () => void events.push("hook db"), { order: SHUTDOWN_ORDER_LAST });
    registry.register("metering", async () => {
      await sleep(10);
      events.push("hook metering");
    });

    expect((await request(port, "/health")).status).toBe(200);
    const started = Date.now();
    const inFlight = request(port, "/slow");
    await sleep(100);
    process.emit("SIGTERM");
    expect(isDraining()).toBe(true);

    await expect(request(port, "/fast")).rejects.toMatchObject({ code: "ECONNREFUSED" });

    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("slow done");
    expect(reply.headers.connection).toBe("close");

    expect(await exited).toBe(0);
    expect(exitCalls).toEqual([0]);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(events).toEqual(["finished /health", "finished /slow", "hook metering", "hook db", "exit 0"]);
    expect(log.messages()).toContain("connections drained");
    expect(log.entries.find((e) => e.msg === "shutting down: draining connections")?.obj).toMatchObject({
      reason: "SIGTERM",
      openRequests: 1,
    });
  });

  it("reports draining to a health check answered during the drain", async () => {
    const { server, port } = await startServer();
    const { exited } = install(server, { drainTimeoutMs: 5_000 });

    expect((await request(port, "/slow-health")).status).toBe(200);
    const inFlight = request(port, "/slow-health");
    await sleep(50);
    process.emit("SIGTERM");
    const reply = await inFlight;
    expect(reply.status).toBe(503);
    expect(reply.headers.connection).toBe("close");
    expect(await exited).toBe(0);
  });

  it("closes idle keep-alive connections at once instead of waiting for the drain timeout", async () => {
    const { server, port } = await startServer();
    const agent = new http.Agent({ keepAlive: true });
    agents.push(agent);
    const { exited, log } = install(server, { drainTimeoutMs: 5_000 });

    const first = await request(port, "/fast", agent);
    expect(first.headers.connection).toBe("keep-alive");
    const started = Date.now();
    process.emit("SIGTERM");
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(log.messages()).toContain("connections drained");
  });

  it("closes a keep-alive connection whose streamed response began before the signal", async () => {
    const { server, port } = await startServer();
    const agent = new http.Agent({ keepAlive: true });
    agents.push(agent);
    const { exited, log } = install(server, { drainTimeoutMs: 5_000 });

    const stream = new Promise<Reply>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path: "/stream", agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (body === "") process.emit("SIGTERM");
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    });
    const started = Date.now();
    const reply = await stream;
    expect(reply.headers.connection).toBe("keep-alive");
    expect(reply.body).toBe("data: first\n\ndata: last\n\n");
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(log.messages()).toContain("connections drained");
  });

  it("exits 1 when a hook throws, after logging it and running the others", async () => {
    const { server } = await startServer();
    const { exited, registry, log } = install(server);
    registry.register("broken", () => {
      throw new Error("flush exploded");
    });
    registry.register("db", () => void events.push("hook db"), { order: SHUTDOWN_ORDER_LAST });

    process.emit("SIGTERM");
    expect(await exited).toBe(1);
    expect(events).toEqual(["hook db", "exit 1"]);
    const failure = log.entries.find((e) => e.msg === "shutdown hook failed");
    expect(failure?.obj.hook).toBe("broken");
    expect(log.entries.find((e) => e.msg === "shutdown complete")?.obj).toMatchObject({ code: 1, failed: ["broken"] });
  });

  it("force-closes a hanging request when the drain timeout expires", async () => {
    const { server, port } = await startServer();
    const { exited, registry, log } = install(server, { drainTimeoutMs: 300 });
    registry.register("metering", () => void events.push("hook metering"));

    const hanging = request(port, "/hang");
    await vi.waitFor(() => expect(events).toContain("hanging"));
    const started = Date.now();
    process.emit("SIGTERM");

    await expect(hanging).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(await exited).toBe(0);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
    expect(events).toEqual(["hanging", "hook metering", "exit 0"]);
    expect(log.entries.find((e) => e.msg === "closing remaining connections")?.obj).toMatchObject({
      reason: "drain timeout",
      openRequests: 1,
    });
  });

  it("a second signal during the drain closes connections at once and runs the hooks", async () => {
    const { server, port } = await startServer();
    const { exited, exitCalls, registry, log } = install(server, { drainTimeoutMs: 60_000 });
    registry.register("metering", () => void events.push("hook metering"));

    const hanging = request(port, "/hang");
    await vi.waitFor(() => expect(events).toContain("hanging"));
    const started = Date.now();
    process.emit("SIGTERM");
    await sleep(50);
    process.emit("SIGINT");

    await expect(hanging).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(exitCalls).toEqual([0]);
    expect(events).toEqual(["hanging", "hook metering", "exit 0"]);
    expect(log.messages("warn")).toContain("second signal while draining: closing connections now");
  });

  it("ignores signals while the hooks run", async () => {
    const { server } = await startServer();
    const { exited, exitCalls, registry, log } = install(server);
    let hookStarted!: () => void;
    const started = new Promise<void>((resolve) => (hookStarted = resolve));
    registry.register("slow flush", async () => {
      hookStarted();
      await sleep(100);
      events.push("hook done");
    });

    process.emit("SIGTERM");
    await started;
    process.emit("SIGTERM");
    process.emit("SIGINT");
    expect(await exited).toBe(0);
    expect(exitCalls).toEqual([0]);
    expect(events).toEqual(["hook done", "exit 0"]);
    expect(log.messages("warn").filter((m) => m === "signal ignored: shutdown hooks are running")).toHaveLength(2);
  });

  it("handles SIGHUP (a closed terminal) like SIGTERM: drain, hooks, exit 0", async () => {
    const { server, port } = await startServer();
    const { exited, registry, log } = install(server, { drainTimeoutMs: 5_000 });
    registry.register("metering", () => void events.push("hook metering"));

    const inFlight = request(port, "/slow");
    await sleep(100);
    process.emit("SIGHUP");
    expect(isDraining()).toBe(true);
    expect((await inFlight).body).toBe("slow done");
    expect(await exited).toBe(0);
    expect(events).toEqual(["finished /slow", "hook metering", "exit 0"]);
    expect(log.entries.find((e) => e.msg === "shutting down: draining connections")?.obj).toMatchObject({ reason: "SIGHUP" });
  });

  it("announces its deadline: the drain timeout, the hooks' timeouts and a margin", async () => {
    const { server } = await startServer();
    const { handle, registry, log } = install(server, { drainTimeoutMs: 700 });
    registry.register("metering", () => {}, { timeoutMs: 2_000 });
    registry.register("db", () => {});
    await handle.shutdown("test");
    expect(log.entries.find((e) => e.msg === "shutting down: draining connections")?.obj).toMatchObject({
      drainTimeoutMs: 700,
      deadlineMs: 700 + 2_000 + 5_000 + DEADLINE_MARGIN_MS,
    });
  });

  it("a hook that never resolves: the others still run, and the exit is non-zero and within the deadline", async () => {
    const { server, port } = await startServer();
    const { exited, registry, log } = install(server, { drainTimeoutMs: 200 });
    registry.register("stuck flush", () => new Promise<void>(() => {}), { timeoutMs: 300 });
    registry.register("db", () => void events.push("hook db"), { order: SHUTDOWN_ORDER_LAST });

    const hanging = request(port, "/hang").catch((err: Error) => err);
    await vi.waitFor(() => expect(events).toContain("hanging"));
    const started = Date.now();
    process.emit("SIGTERM");
    expect(await exited).toBe(1);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(200 + 300 + DEADLINE_MARGIN_MS);
    expect(events).toEqual(["hanging", "hook db", "exit 1"]);
    expect(log.entries.find((e) => e.msg === "shutdown complete")?.obj).toMatchObject({ code: 1, failed: ["stuck flush"] });
    await hanging;
  });

  it("exits 1 at the deadline when the sequence itself never ends", async () => {
    // Stands for anything that outlives its own timeout (hooks are each bounded, so this takes a
    // registry that never reports).
    class NeverEnding extends ShutdownRegistry {
      override runAll(): Promise<never> {
        return new Promise<never>(() => {});
      }
    }
    const { server } = await startServer();
    const registry = new NeverEnding();
    registry.register("flush", () => {}, { timeoutMs: 100 });
    const hardDeadlines: number[] = [];
    const { exited, exitCalls, log } = install(server, {
      drainTimeoutMs: 100,
      registry,
      hardDeadline: (ms) => {
        hardDeadlines.push(ms);
        return () => {};
      },
    });
    const started = Date.now();
    process.emit("SIGTERM");
    expect(await exited).toBe(1);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(200 + DEADLINE_MARGIN_MS - 50);
    expect(elapsed).toBeLessThan(200 + DEADLINE_MARGIN_MS + 1_000);
    expect(exitCalls).toEqual([1]);
    expect(log.messages("error")).toContain("shutdown deadline passed: exiting now");
    // The last resort for a blocked main thread is armed a little after the deadline.
    expect(hardDeadlines).toHaveLength(1);
    expect(hardDeadlines[0]).toBeGreaterThan(200 + DEADLINE_MARGIN_MS);
  });

  it("can be triggered without a signal and only runs once", async () => {
    const { server } = await startServer();
    const { handle, exitCalls } = install(server);
    const [a, b] = await Promise.all([handle.shutdown("test"), handle.shutdown("again")]);
    expect([a, b]).toEqual([0, 0]);
    expect(exitCalls).toEqual([0]);
  });

  it("removes its listeners on uninstall", async () => {
    const { server, port } = await startServer();
    const requestListeners = server.listenerCount("request");
    const { handle } = install(server, { signals: ["SIGTERM", "SIGINT", "SIGHUP"] });
    const hupBaseline = process.listenerCount("SIGHUP");
    expect(process.listenerCount("SIGTERM")).toBe(baseline.term + 1);
    expect(server.listenerCount("request")).toBe(requestListeners + 1);
    handle.uninstall();
    handles.splice(handles.indexOf(handle), 1);
    expect(process.listenerCount("SIGTERM")).toBe(baseline.term);
    expect(process.listenerCount("SIGHUP")).toBe(hupBaseline - 1);
    expect(server.listenerCount("request")).toBe(requestListeners);
    expect((await request(port, "/fast")).body).toBe("fast");
  });
});
