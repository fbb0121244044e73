"use client";

import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};

function utcText(date: Date, dateOnly: boolean): string {
  const iso = date.toISOString();
  return dateOnly ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * An instant shown in the reader's own time zone. The server cannot know that zone, so it renders
 * UTC (marked as such) and the browser replaces it with local time once hydrated; the UTC instant
 * stays in `dateTime` and the tooltip.
 */
export function LocalTime({ value, dateOnly = false }: { value: Date | string; dateOnly?: boolean }) {
  const inBrowser = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const date = typeof value === "string" ? new Date(value) : value;
  const text = inBrowser
    ? new Intl.DateTimeFormat(undefined, dateOnly ? { dateStyle: "medium" } : { dateStyle: "medium", timeStyle: "short" }).format(date)
    : utcText(date, dateOnly);
  return (
    <time dateTime={date.toISOString()} title={utcText(date, false)}>
      {text}
    </time>
  );
}
