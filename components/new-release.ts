"use client";

import { unstable_isUnrecognizedActionError } from "next/navigation";
import { useEffect } from "react";

// During a rolling deploy the old and the new release serve side by side behind one load balancer.
// Most of what a page of one asks of the other just works: navigations and server-action results
// carry the deployment id, and Next loads the page afresh when it comes from another release. Two
// things still reach the error boundary: a server action the other release does not have (renamed,
// removed or changed in a way that changed its id) and a script chunk no instance has any more.
// Both mean "this page is older than the server", and a reload is the cure.

const RELOADED_KEY = "gatehouse:reloaded-for-new-release";
/** A reload for the same page within this time is not repeated: the notice stays instead. */
const RELOAD_ONCE_MS = 60_000;

/** Whether `error` means the page was loaded from another release than the server that answered. */
export function isNewReleaseError(error: unknown): boolean {
  if (unstable_isUnrecognizedActionError(error)) return true;
  if (!(error instanceof Error)) return false;
  return error.name === "ChunkLoadError" || /Failed to load chunk|Loading chunk [\w-]+ failed|Failed to find Server Action/i.test(error.message);
}

/** Reloads the page once for a new-release error (not again for the same page within a minute). */
export function useReloadForNewRelease(error: unknown): void {
  useEffect(() => {
    if (!isNewReleaseError(error)) return;
    let last: { path?: string; at?: number } = {};
    try {
      last = JSON.parse(sessionStorage.getItem(RELOADED_KEY) ?? "{}") as typeof last;
    } catch {
      // A broken entry is the same as none.
    }
    const path = window.location.pathname + window.location.search;
    if (last.path === path && typeof last.at === "number" && Date.now() - last.at < RELOAD_ONCE_MS) return;
    sessionStorage.setItem(RELOADED_KEY, JSON.stringify({ path, at: Date.now() }));
    window.location.reload();
  }, [error]);
}
