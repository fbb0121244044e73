import { chmodSync, existsSync, unlinkSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { join } from "node:path";
import type { Output } from "./command";

// With the embedded database only one process may open the data directory, so while the server
// runs it carries out the CLI's commands. They travel over a Unix socket inside the data
// directory (owner-only), never over TCP: no command can be sent from another machine.

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, "control.sock");
}

const MAX_REQUEST_BYTES = 64 * 1024;

/** Listens on the data directory's control socket and runs each received argv with `run`. */
export async function startControlServer(dataDir: string, run: (argv: string[]) => Promise<Output>): Promise<Server> {
  const path = controlSocketPath(dataDir);
  if (existsSync(path)) unlinkSync(path); // left by a process that died; we hold the data dir lock
  const server = createServer((socket) => {
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_REQUEST_BYTES) return socket.destroy();
      const newline = buffer.indexOf("\n");
      if (newline < 0) return;
      let argv: unknown;
      try {
        argv = (JSON.parse(buffer.slice(0, newline)) as { argv?: unknown }).argv;
      } catch {
        argv = undefined;
      }
      if (!Array.isArray(argv) || !argv.every((a) => typeof a === "string")) {
        socket.end(`${JSON.stringify({ exitCode: 2, stdout: "", stderr: "Malformed control request.\n" })}\n`);
        return;
      }
      void run(argv).then((output) => socket.end(`${JSON.stringify(output)}\n`));
    });
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  server.on("close", () => {
    try {
      unlinkSync(path);
    } catch {
      // already removed
    }
  });
  return server;
}

/** Sends argv to the server holding `dataDir`; undefined when nothing listens there. */
export function sendToControlServer(dataDir: string, argv: string[], timeoutMs = 120_000): Promise<Output | undefined> {
  const path = controlSocketPath(dataDir);
  if (!existsSync(path)) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let data = "";
    socket.setEncoding("utf8");
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error("The server did not answer the command in time.")));
    socket.on("connect", () => socket.write(`${JSON.stringify({ argv })}\n`));
    socket.on("data", (chunk: string) => (data += chunk));
    socket.on("end", () => {
      try {
        resolve(JSON.parse(data) as Output);
      } catch {
        reject(new Error("The server closed the control connection without an answer."));
      }
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ECONNREFUSED" || err.code === "ENOENT") resolve(undefined);
      else reject(err);
    });
  });
}
