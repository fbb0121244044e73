import { describe, expect, it } from "vitest";
import { ClientGone } from "./node-host";

describe("ClientGone", () => {
  it("tells each listener once, forgets removed ones, and never calls a listener added after the abort", () => {
    const gone = new ClientGone();
    const calls: string[] = [];
    const a = () => calls.push("a");
    const b = () => calls.push("b");
    gone.addEventListener("abort", a);
    gone.addEventListener("abort", b);
    gone.removeEventListener("abort", a);
    expect(gone.aborted).toBe(false);
    gone.abort();
    gone.abort();
    gone.addEventListener("abort", () => calls.push("late"));
    expect(calls).toEqual(["b"]);
    expect(gone.aborted).toBe(true);
    expect((gone.reason as DOMException).name).toBe("AbortError");
  });
});
