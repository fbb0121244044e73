import { useEffect, useState } from "react";

/**
 * The current time for a label that counts down, starting from the server's `serverNow` (so the
 * first render matches the HTML) and refreshed every `everyMs`, and once right after hydration.
 */
export function useNow(serverNow: number, everyMs = 15_000): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    const first = setTimeout(() => setNow(Date.now()), 0);
    return () => {
      clearInterval(timer);
      clearTimeout(first);
    };
  }, [everyMs]);
  return now;
}
