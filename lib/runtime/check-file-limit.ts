import { readFileSync } from "node:fs";

/** Open files a held stream takes: the client's socket and the upstream's. */
const FILES_PER_STREAM = 2;
/** Below this, a burst of a few thousand streams runs out of files. */
export const RECOMMENDED_OPEN_FILES = 65_536;

/**
 * A warning when the process may open too few files for the streams it may be asked to hold, or
 * null. Out of files, Node accepts a connection only to close it at once (libuv's answer to
 * EMFILE), so clients of a burst see resets rather than a queue; an upstream call fails. Node
 * cannot raise the limit itself: the service manager sets it (LimitNOFILE in systemd).
 * `limitsText`: the contents of /proc/self/limits (Linux); elsewhere nothing is said.
 */
export function fileLimitWarning(limitsText: string | null = readLimits()): string | null {
  const line = limitsText?.split("\n").find((l) => l.startsWith("Max open files"));
  const soft = line?.match(/^Max open files\s+(\d+|unlimited)/)?.[1];
  if (!soft || soft === "unlimited") return null;
  const files = Number(soft);
  if (files >= RECOMMENDED_OPEN_FILES) return null;
  return (
    `this process may open ${files} files, so it can hold about ${Math.floor(files / FILES_PER_STREAM)} streams at once ` +
    `(one file for the client, one for the upstream); beyond that new connections are reset. ` +
    `Raise the limit to ${RECOMMENDED_OPEN_FILES} or more (LimitNOFILE= in the systemd unit, ulimit -n in a shell).`
  );
}

function readLimits(): string | null {
  try {
    return readFileSync("/proc/self/limits", "utf8");
  } catch {
    return null;
  }
}
