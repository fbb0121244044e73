"use client";

import { useEffect, useState } from "react";
import { describeRemaining } from "@/lib/time/countdown";

/** "5 hours left", kept current every 15 seconds; "access has ended" once it has. */
export function AccessTimeLeft({ end, serverNow }: { end: string; serverNow: number }) {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    const first = setTimeout(() => setNow(Date.now()), 0);
    return () => {
      clearInterval(timer);
      clearTimeout(first);
    };
  }, []);
  const left = Date.parse(end) - now;
  return <span>{left > 0 ? `${describeRemaining(left)} left` : "access has ended"}</span>;
}
