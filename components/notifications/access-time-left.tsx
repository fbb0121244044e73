"use client";

import { useNow } from "@/components/use-now";
import { describeRemaining } from "@/lib/time/countdown";

/** "5 hours left", kept current every 15 seconds; "access has ended" once it has. */
export function AccessTimeLeft({ end, serverNow }: { end: string; serverNow: number }) {
  const now = useNow(serverNow);
  const left = Date.parse(end) - now;
  return <span>{left > 0 ? `${describeRemaining(left)} left` : "access has ended"}</span>;
}
