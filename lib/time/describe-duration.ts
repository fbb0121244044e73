/** "15 minutes", "1 hour", "20 seconds": a whole duration in words, for messages and emails. */
export function describeDuration(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (seconds >= 3600 && seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  if (seconds >= 60 && seconds % 60 === 0) return plural(seconds / 60, "minute");
  if (seconds >= 60) return plural(Math.ceil(seconds / 60), "minute");
  return plural(seconds, "second");
}
