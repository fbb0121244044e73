import { Fragment } from "react";
import { cn } from "./cn";

// http(s) addresses in text; anything else (javascript:, data:) stays plain text.
const LINK = /\bhttps?:\/\/[^\s<>"'`]+/g;
// Punctuation that ends a sentence rather than an address.
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * Text written by a person (a ticket message), shown as text: React escapes every character, so
 * markup in it is inert; line breaks are kept; http(s) links become links that open in a new tab
 * without handing over this page (noopener, noreferrer).
 */
export function PlainText({ text, className }: { text: string; className?: string }) {
  const parts: React.ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let url = match[0];
    const trailing = TRAILING.exec(url)?.[0] ?? "";
    url = url.slice(0, url.length - trailing.length);
    const start = match.index;
    if (start > last) parts.push(text.slice(last, start));
    parts.push(
      <a key={start} href={url} target="_blank" rel="noopener noreferrer nofollow" className="break-all underline">
        {url}
      </a>,
    );
    last = start + url.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return (
    <div className={cn("break-words whitespace-pre-wrap", className)}>
      {parts.map((part, i) => (
        <Fragment key={i}>{part}</Fragment>
      ))}
    </div>
  );
}
