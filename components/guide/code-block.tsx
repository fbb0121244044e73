"use client";

import { useId, useRef, useState } from "react";

/** A copy-ready snippet: the text as shown, a Copy button, and a polite "Copied" for screen readers. */
export function CodeBlock({ code, label }: { code: string; label: string }) {
  const [status, setStatus] = useState("");
  const pre = useRef<HTMLPreElement>(null);
  const id = useId();

  const copy = async () => {
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(code);
        ok = true;
      }
    } catch {
      ok = false;
    }
    if (!ok) {
      // Plain http has no Clipboard API: copy from a selected, off-screen text area instead.
      const area = document.createElement("textarea");
      area.value = code;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try {
        ok = document.execCommand("copy");
      } catch {
        ok = false;
      }
      area.remove();
    }
    setStatus(ok ? "Copied" : "Could not copy: select the text and copy it by hand.");
  };

  return (
    <figure className="mt-3">
      <div className="flex items-center justify-between gap-2 rounded-t-md border border-b-0 border-border bg-surface px-3 py-1.5">
        <figcaption id={id} className="text-xs font-medium text-muted">
          {label}
        </figcaption>
        <div className="flex items-center gap-2">
          <span aria-live="polite" className="text-xs text-muted">
            {status}
          </span>
          <button type="button" onClick={() => void copy()} aria-describedby={id} className="rounded px-2 py-0.5 text-xs font-medium hover:bg-background">
            Copy
          </button>
        </div>
      </div>
      <pre ref={pre} tabIndex={0} aria-labelledby={id} className="overflow-x-auto rounded-b-md border border-border bg-background p-3 font-mono text-sm">
        <code>{code}</code>
      </pre>
    </figure>
  );
}
