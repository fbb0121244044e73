/**
 * Runs the mock upstream as a process:
 *   npx tsx lib/mock-upstream/main.ts [--port 4010] [--host 127.0.0.1] [--chunk-delay-ms 20] [--delay-ms 0] [--stream-bytes N]
 * Prints its URL and stops on SIGINT / SIGTERM.
 */
import { parseArgs } from "node:util";
import type { Fault } from "./faults";
import { startMockUpstream } from "./server";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
    "chunk-delay-ms": { type: "string" },
    "delay-ms": { type: "string" },
    "stream-bytes": { type: "string" },
  },
});

function nonNegative(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} must be a non-negative integer, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const port = nonNegative("port", values.port) ?? 4010;
const fault: Fault = {
  chunkDelayMs: nonNegative("chunk-delay-ms", values["chunk-delay-ms"]),
  delayMs: nonNegative("delay-ms", values["delay-ms"]),
  streamBytes: nonNegative("stream-bytes", values["stream-bytes"]),
};

// A long-running process has no reader for recorded requests.
const mock = await startMockUpstream({ port, host: values.host, fault, record: false });
console.log(`Mock upstream listening on ${mock.url}`);
console.log(`  OpenAI base URL:    ${mock.url}/v1`);
console.log(`  Anthropic base URL: ${mock.url}`);
console.log(`  Gemini base URL:    ${mock.url}`);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  console.log(`Mock upstream stopping (${signal})`);
  void mock.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
