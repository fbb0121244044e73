import type { Metadata } from "next";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { getUnsubscribeKey, verifyUnsubscribeToken, type NotificationKind } from "@/lib/notifications";

// The page each reminder's "Turn them off" link opens. Opening it changes nothing (mail scanners
// open links); pressing the button posts to /api/unsubscribe, as mail clients' one-click does.
export const metadata: Metadata = { title: "Turn off mail", referrer: "same-origin", robots: { index: false, follow: false } };
export const dynamic = "force-dynamic";

const KIND_WORDS: Record<NotificationKind, string> = {
  ACCESS_REMINDER: "access reminders (before an order's access ends, and when it has ended)",
  CREDIT_ALERT: "credit alerts (when an order has used 50 %, 80 % and all of its credit)",
  KEY_LIMIT_ALERT: "key spend-limit alerts (when a key has used 50 %, 80 % and all of its limit)",
};

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function UnsubscribePage({ searchParams }: Props) {
  const params = await searchParams;
  const token = typeof params.t === "string" ? params.t : "";
  const found = verifyUnsubscribeToken(getUnsubscribeKey(), token);
  if (!found) {
    return (
      <>
        <h1 className="text-3xl font-semibold tracking-tight">This link does not work</h1>
        <p className="text-muted">
          The address is incomplete or was changed. Copy the whole link from the mail, or sign in and choose under{" "}
          <Link href="/settings" className="underline">
            Mail settings
          </Link>
          .
        </p>
      </>
    );
  }
  if (params.done !== undefined) {
    return (
      <>
        <h1 className="text-3xl font-semibold tracking-tight">Turned off</h1>
        <p role="status">You will get no more {KIND_WORDS[found.kind]}.</p>
        <p className="text-muted">
          To turn them on again, sign in and open{" "}
          <Link href="/settings" className="underline">
            Mail settings
          </Link>
          .
        </p>
      </>
    );
  }
  return (
    <>
      <div className="flex flex-col gap-2">
        <h1 className="text-3xl font-semibold tracking-tight">Turn off mail</h1>
        <p className="text-muted">Stop {KIND_WORDS[found.kind]} for your Gatehouse account. Other mail (sign-in links, replies to your tickets) still comes.</p>
      </div>
      <form method="post" action={`/api/unsubscribe?t=${encodeURIComponent(token)}`}>
        <input type="hidden" name="from" value="page" />
        <Button type="submit" size="lg" className="w-full">
          Turn them off
        </Button>
      </form>
      <p className="text-sm text-muted">
        You can also choose each kind under{" "}
        <Link href="/settings" className="underline">
          Mail settings
        </Link>{" "}
        after signing in.
      </p>
    </>
  );
}
