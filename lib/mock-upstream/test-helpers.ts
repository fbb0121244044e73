/** Helpers shared by the mock upstream's own tests. */
import { afterEach, beforeEach } from "vitest";
import { startMockUpstream, type MockUpstream, type MockUpstreamOptions } from "./server";

/** Starts a fresh mock on a free port before each test and closes it after; read `.current`. */
export function mockPerTest(options?: MockUpstreamOptions): { current: MockUpstream } {
  const ref = {} as { current: MockUpstream };
  beforeEach(async () => {
    ref.current = await startMockUpstream(options);
  });
  afterEach(async () => {
    await ref.current.close();
  });
  return ref;
}

export interface SseEvent {
  event?: string;
  data: string;
}

/** Splits a raw SSE body into events (either LF or CRLF framing). */
export function parseSse(raw: string): SseEvent[] {
  return raw
    .split(/\r\n\r\n|\n\n/)
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const out: SseEvent = { data: "" };
      for (const line of block.split(/\r\n|\n/)) {
        if (line.startsWith("event: ")) out.event = line.slice(7);
        else if (line.startsWith("data: ")) out.data += line.slice(6);
      }
      return out;
    });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the promise to reject");
    },
    (error: unknown) => error,
  );
}
