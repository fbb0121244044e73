"use client";

import { useId, useState } from "react";
import type { FaqErrorRow } from "@/lib/errors/list-errors-for-faq";
import type { FaqEntry } from "@/lib/guide/faq-content";

function entryText(e: FaqEntry): string {
  return [e.question, ...e.paragraphs, ...(e.steps ?? []), e.code ?? ""].join(" ").toLowerCase();
}

function rowText(r: FaqErrorRow): string {
  return [String(r.status), r.code, r.title, r.meaning, r.whatToDo].join(" ").toLowerCase();
}

/** The FAQ with a filter box: questions and error rows that do not contain every typed word are hidden. */
export function FaqList({ entries, errors }: { entries: FaqEntry[]; errors: FaqErrorRow[] }) {
  const [query, setQuery] = useState("");
  const inputId = useId();
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (text: string) => words.every((w) => text.includes(w));
  const shownEntries = entries.filter((e) => matches(entryText(e)));
  const shownErrors = errors.filter((r) => matches(rowText(r)));

  return (
    <>
      <div className="mt-6">
        <label htmlFor={inputId} className="block text-sm font-medium">
          Search the FAQ
        </label>
        <input
          id={inputId}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="e.g. 401, PowerShell, expired, model_not_allowed"
          className="mt-1 w-full max-w-xl rounded-md border border-border bg-background px-3 py-2 text-sm"
        />
        <p aria-live="polite" className="mt-1 text-sm text-muted">
          {words.length > 0
            ? `${shownEntries.length} ${shownEntries.length === 1 ? "answer" : "answers"} and ${shownErrors.length} ${shownErrors.length === 1 ? "error" : "errors"} match.`
            : ""}
        </p>
      </div>

      <section aria-labelledby="questions" className="mt-6">
        <h2 id="questions" className="sr-only">
          Questions
        </h2>
        {shownEntries.map((e) => (
          <article key={e.id} id={e.id} aria-labelledby={`${e.id}-q`} className="scroll-mt-20 border-t border-border py-4">
            <h3 id={`${e.id}-q`} className="font-semibold">
              <a href={`#${e.id}`} className="hover:underline">
                {e.question}
              </a>
            </h3>
            {e.paragraphs.map((p) => (
              <p key={p} className="mt-2 text-sm">
                {p}
              </p>
            ))}
            {e.steps ? (
              <ol className="mt-2 list-decimal pl-5 text-sm">
                {e.steps.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ol>
            ) : null}
            {e.code ? (
              // Focusable so a keyboard can scroll a line wider than the screen; named after its question.
              <pre
                tabIndex={0}
                aria-label={`Example: ${e.question}`}
                className="mt-2 overflow-x-auto rounded-md border border-border bg-surface p-3 font-mono text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent"
              >
                {e.code}
              </pre>
            ) : null}
          </article>
        ))}
      </section>

      <section aria-labelledby="errors-title" id="errors" className="mt-8 scroll-mt-20">
        <h2 id="errors-title" className="text-lg font-semibold">
          <a href="#errors" className="hover:underline">
            Error messages and what to do
          </a>
        </h2>
        <p className="mt-1 text-sm text-muted">Every error the API returns carries one of these codes in its body.</p>
        <div className="relative mt-3 overflow-x-auto rounded-lg border border-border">
          <table className="w-full min-w-[48rem] text-left text-sm">
            <thead className="bg-surface text-muted">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Status
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Code
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Meaning
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  What to do
                </th>
              </tr>
            </thead>
            <tbody>
              {shownErrors.map((r) => (
                <tr key={r.code} id={`error-${r.code}`} className="scroll-mt-20 border-t border-border align-top">
                  <td className="px-3 py-2">{r.status}</td>
                  <th scope="row" className="px-3 py-2 font-mono font-normal">
                    <a href={`#error-${r.code}`} className="hover:underline">
                      {r.code}
                    </a>
                  </th>
                  <td className="px-3 py-2">
                    <span className="font-medium">{r.title}.</span> {r.meaning}
                  </td>
                  <td className="px-3 py-2">{r.whatToDo}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {shownErrors.length === 0 ? <p className="mt-2 text-sm text-muted">No error matches your search.</p> : null}
      </section>
    </>
  );
}
