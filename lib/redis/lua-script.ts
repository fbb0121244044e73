import "server-only";
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * A Lua script run with EVALSHA, falling back to EVAL (which also caches it) when the server does
 * not know it yet, e.g. after a restart. Scripts run atomically: no other command interleaves.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith("NOSCRIPT")) return client.eval(this.source, keys.length, ...keys, ...args);
      throw err;
    }
  }
}

/** A Redis error reply (a bug in a script or a command), as opposed to a connection problem. */
export function isReplyError(err: unknown): boolean {
  return err instanceof Error && err.name === "ReplyError";
}
