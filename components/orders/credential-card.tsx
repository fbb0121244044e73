"use client";

import Link from "next/link";
import { useActionState, useEffect, useId, useRef, useState, useTransition } from "react";
import { revealKeyAction, rotateKeyAction, type RotateKeyState } from "@/app/(portal)/orders/[id]/actions";
import { LocalTime } from "@/components/local-time";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import type { KeyDisplayStatus } from "@/lib/keys/key-display-status";
import { useOrderLive } from "./order-live";

export interface CredentialCardKey {
  id: string;
  name: string;
  mask: string;
  displayStatus: KeyDisplayStatus;
  revealable: boolean;
  revealedAt: string | null;
  handedOutAt: string | null;
  lastUsedAt: string | null;
  validUntil: string | null;
  /** The key's own limits in words (models, spend limit, IP allowlist). */
  limits: { models: string; spend: string; ips: string };
  /** The key's settings page, for its owner while the key is live. */
  settingsHref: string | null;
}

const tones: Record<KeyDisplayStatus, BadgeTone> = {
  Active: "success",
  "Not yet active": "info",
  Disabled: "danger",
  Replaced: "neutral",
  Expired: "neutral",
};

type Message = { tone: "error" | "info"; text: string } | null;

// Set when a rotation is sent from this page. The answer re-renders the order: the old key's card
// loses its Rotate button (or leaves), and the new key's card takes the focus and says what
// happened, so a keyboard user is not dropped at the top of the page.
let rotationSentFrom: string | null = null;

const ROTATED_MESSAGE = "Key rotated. This is the new key: reveal it once and copy it. The old key stops working when its overlap ends.";

function focusRevealButton(keyId: string): boolean {
  const button = document.querySelector<HTMLElement>(`[data-key-id="${CSS.escape(keyId)}"] [data-reveal-button]`);
  button?.focus();
  return button !== null;
}

/**
 * One of the order's API keys: its name, mask, status, limits and last use; the one reveal (behind a confirmation),
 * then the key with a Copy button until the page is left; and rotation when the plan allows it.
 * The revealed key lives only in this component's state: it is never in the page's HTML.
 */
export function CredentialCard({
  apiKey,
  orderId,
  canReveal,
  canRotate,
}: {
  apiKey: CredentialCardKey;
  orderId: string;
  canReveal: boolean;
  canRotate: boolean;
}) {
  const { expired } = useOrderLive();
  const [revealed, setRevealed] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [copied, setCopied] = useState("");
  const [pending, startTransition] = useTransition();
  const revealDialog = useRef<HTMLDialogElement>(null);
  const rotateDialog = useRef<HTMLDialogElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const [rotateState, rotate, rotating] = useActionState<RotateKeyState, FormData>(rotateKeyAction, { status: "idle" });

  const status: KeyDisplayStatus = expired && apiKey.displayStatus === "Active" ? "Expired" : apiKey.displayStatus;
  const showKey = revealed !== null && !expired;

  // The Reveal button is gone once the key shows: focus goes to the key itself (selected, so
  // Ctrl+C copies it at once) instead of falling back to the top of the page.
  useEffect(() => {
    if (showKey) field.current?.focus();
  }, [showKey]);

  // A new key's card, mounted by the answer to a rotation sent from another card: focus its Reveal,
  // which the message below describes. Decided once, when the card mounts (never while hydrating:
  // nothing was sent from a page that is only loading).
  const [arrivedByRotation] = useState(() => rotationSentFrom !== null && rotationSentFrom !== apiKey.id && apiKey.revealable);
  useEffect(() => {
    if (!arrivedByRotation) return;
    rotationSentFrom = null;
    focusRevealButton(apiKey.id);
  }, [arrivedByRotation, apiKey.id]);
  // The old card, when it stays (an overlap): the same, should the new card have mounted first.
  useEffect(() => {
    if (rotateState.status === "error") rotationSentFrom = null;
    if (rotateState.status === "rotated" && rotationSentFrom === apiKey.id && focusRevealButton(rotateState.newKeyId)) rotationSentFrom = null;
  }, [rotateState, apiKey.id]);

  const reveal = () => {
    revealDialog.current?.close();
    startTransition(async () => {
      const result = await revealKeyAction({ keyId: apiKey.id });
      if (result.status === "revealed") {
        setRevealed(result.key);
        setMessage(null);
      } else if (result.status === "already_revealed") {
        setMessage({
          tone: "error",
          text: "This key was already revealed, so it cannot be shown again. If you did not keep it, rotate it or ask support for a new one.",
        });
      } else {
        setMessage({ tone: "error", text: "This key cannot be revealed." });
      }
    });
  };

  const copy = async () => {
    if (revealed === null) return;
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(revealed);
        ok = true;
      }
    } catch {
      ok = false;
    }
    if (!ok && field.current) {
      // Plain http (no Clipboard API): copy the selected field the old way.
      field.current.focus();
      field.current.select();
      try {
        ok = document.execCommand("copy");
      } catch {
        ok = false;
      }
    }
    setCopied(ok ? "Copied" : "Could not copy: the key is selected, press Ctrl+C (⌘C on a Mac).");
  };

  return (
    <Card role="region" aria-labelledby={titleId} data-key-id={apiKey.id}>
      <CardHeader>
        <CardTitle id={titleId}>{apiKey.name}</CardTitle>
        <CardDescription>
          Use it as a Bearer token or API key with any OpenAI, Anthropic or Gemini client. See the{" "}
          <Link href="/setup" className="underline">
            setup guide
          </Link>
          .
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-muted">Key</dt>
          <dd className="font-mono" data-testid="key-mask">
            {apiKey.mask}
          </dd>
          <dt className="text-muted">Status</dt>
          <dd>
            <Badge tone={tones[status]} data-testid="key-status">
              {status}
            </Badge>
            {apiKey.displayStatus === "Replaced" && apiKey.validUntil ? (
              <span className="ml-2 text-muted">
                works until <LocalTime value={apiKey.validUntil} />
              </span>
            ) : null}
          </dd>
          <dt className="text-muted">Last used</dt>
          <dd>{apiKey.lastUsedAt ? <LocalTime value={apiKey.lastUsedAt} /> : "Never"}</dd>
          <dt className="text-muted">Models</dt>
          <dd data-testid="key-models">{apiKey.limits.models}</dd>
          <dt className="text-muted">Spend limit</dt>
          <dd data-testid="key-spend-limit">{apiKey.limits.spend}</dd>
          <dt className="text-muted">IP allowlist</dt>
          <dd className="break-all">{apiKey.limits.ips}</dd>
        </dl>

        {showKey ? (
          <div className="flex flex-col gap-2">
            <label htmlFor={`${titleId}-key`} className="text-sm font-medium">
              Your API key
            </label>
            <div className="flex flex-wrap gap-2">
              <input
                id={`${titleId}-key`}
                ref={field}
                readOnly
                value={revealed}
                spellCheck={false}
                autoComplete="off"
                className="min-w-0 flex-1 rounded-md border border-border bg-background px-3 py-2 font-mono text-sm"
                onFocus={(e) => e.currentTarget.select()}
              />
              <Button onClick={() => void copy()}>Copy</Button>
            </div>
            <p className="text-sm text-warning" role="note">
              Copy it now and keep it somewhere safe: it will not be shown again. After you leave or reload this page only the mask above remains.
            </p>
          </div>
        ) : revealed !== null && expired ? (
          <p className="text-sm text-muted">Access has expired, so the key is hidden.</p>
        ) : apiKey.handedOutAt ? (
          <p className="text-sm text-muted">
            Handed out by support on <LocalTime value={apiKey.handedOutAt} />. It cannot be revealed here; ask support if you no longer have it.
          </p>
        ) : apiKey.revealedAt ? (
          <p className="text-sm text-muted">
            Revealed on <LocalTime value={apiKey.revealedAt} />. It cannot be shown again.
          </p>
        ) : null}
        <p aria-live="polite" className="text-sm" data-testid="copy-status">
          {showKey ? copied : ""}
        </p>
        {/* Present before the reveal, so screen readers announce the change. */}
        <p role="status" className="sr-only" data-testid="reveal-announcement">
          {showKey ? "Your API key is shown once, in the field Your API key, and is selected. Press Copy, or Ctrl+C (⌘C on a Mac), to copy it now." : ""}
        </p>
        {message ? (
          <p role="alert" className={message.tone === "error" ? "text-sm text-danger" : "text-sm"}>
            {message.text}
          </p>
        ) : null}
        {arrivedByRotation && revealed === null ? (
          <p id={`${titleId}-rotated`} className="text-sm" data-testid="rotated-message">
            {ROTATED_MESSAGE}
          </p>
        ) : null}
        {rotateState.status === "error" ? (
          <p role="alert" className="text-sm text-danger">
            {rotateState.message}
          </p>
        ) : null}
      </CardContent>

      {canReveal && !expired && (apiKey.displayStatus === "Active" || apiKey.displayStatus === "Not yet active" || apiKey.displayStatus === "Disabled") ? (
        <CardFooter>
          {canReveal && apiKey.revealable && revealed === null && !expired ? (
            <Button
              onClick={() => revealDialog.current?.showModal()}
              disabled={pending}
              data-reveal-button
              aria-describedby={arrivedByRotation ? `${titleId}-rotated` : undefined}
            >
              {pending ? "Revealing…" : "Reveal key"}
            </Button>
          ) : null}
          {apiKey.displayStatus === "Active" && canRotate ? (
            <Button variant="secondary" onClick={() => rotateDialog.current?.showModal()} disabled={rotating}>
              Rotate key
            </Button>
          ) : null}
          {apiKey.settingsHref ? (
            <Link href={apiKey.settingsHref} className="text-sm underline" aria-label={`Settings of ${apiKey.name}`}>
              Settings
            </Link>
          ) : null}
          {apiKey.displayStatus === "Active" ? (
            <Link href={`/support/new?category=KEY_EXPOSED&order=${encodeURIComponent(orderId)}`} className="text-sm underline">
              {canRotate ? "Report an exposed key" : "Report an exposed key or ask for a rotation"}
            </Link>
          ) : null}
        </CardFooter>
      ) : null}

      <dialog
        ref={revealDialog}
        aria-labelledby={`${titleId}-reveal`}
        className="m-auto max-w-md rounded-lg border border-border bg-background p-6 text-foreground backdrop:bg-black/50"
      >
        <h3 id={`${titleId}-reveal`} className="text-lg font-semibold">
          Reveal your API key?
        </h3>
        <p className="mt-2 text-sm">
          The key can be revealed once. Copy it as soon as it appears: after you leave or reload the page it cannot be shown again, and a lost key has to be
          replaced.
        </p>
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => revealDialog.current?.close()}>
            Cancel
          </Button>
          <Button onClick={reveal}>Reveal now</Button>
        </div>
      </dialog>

      {canRotate ? (
        <dialog
          ref={rotateDialog}
          aria-labelledby={`${titleId}-rotate`}
          className="m-auto max-w-md rounded-lg border border-border bg-background p-6 text-foreground backdrop:bg-black/50"
        >
          <form
            action={rotate}
            onSubmit={() => {
              rotationSentFrom = apiKey.id;
              rotateDialog.current?.close();
            }}
          >
            <h3 id={`${titleId}-rotate`} className="text-lg font-semibold">
              Rotate this key?
            </h3>
            <p className="mt-2 text-sm">You get a new key to reveal once. The current key ({apiKey.mask}) stops working when the overlap you choose ends.</p>
            <input type="hidden" name="keyId" value={apiKey.id} />
            <label htmlFor={`${titleId}-overlap`} className="mt-4 block text-sm font-medium">
              Keep the old key working for
            </label>
            <select
              id={`${titleId}-overlap`}
              name="overlap"
              defaultValue="none"
              className="mt-1 w-full rounded-md border border-border bg-background px-3 py-2 text-sm"
            >
              <option value="none">No overlap: stop it now</option>
              <option value="1h">1 hour</option>
              <option value="24h">24 hours</option>
            </select>
            <div className="mt-4 flex justify-end gap-2">
              <Button variant="secondary" onClick={() => rotateDialog.current?.close()}>
                Cancel
              </Button>
              <Button type="submit" variant="danger">
                Rotate
              </Button>
            </div>
          </form>
        </dialog>
      ) : null}
    </Card>
  );
}
