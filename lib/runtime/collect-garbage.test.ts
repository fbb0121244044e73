import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { collectGarbage } from "./collect-garbage";

/** 128 MB of buffers, one of them written to, that nothing refers to once this returns. */
function leaveGarbage(): number {
  const buffers = Array.from({ length: 8 }, () => new ArrayBuffer(16 * 1024 * 1024));
  new Uint8Array(buffers[0]!).fill(1);
  return process.memoryUsage().arrayBuffers;
}

describe("collectGarbage", () => {
  it("frees buffers nothing refers to any more, without --expose-gc and without exposing it", async () => {
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    const held = leaveGarbage();
    collectGarbage();
    // The buffers' memory is released by a sweep that follows the collection.
    await sleep(200);
    expect(held - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(100 * 1024 * 1024);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
