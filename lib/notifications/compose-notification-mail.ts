import { formatUsd } from "@/lib/billing/money";
import type { Notification } from "@/lib/mail";
import { formatSpan } from "@/lib/usage/runway";
import type { AccessStage, NotificationKind, SpendThreshold } from "./notification-stages";

// The words of reminder and alert mail: a subject that says what and when, the exact UTC time and
// the time from now, a link to the order page, and a one-click unsubscribe link for the kind
// (also as List-Unsubscribe). Never a key: a key is named by its name and last four characters.

export interface MailOrder {
  id: string;
  marketplaceOrderId: string;
  planName: string;
}

export interface MailContext {
  publicUrl: string;
  /** The account's buyers, comma-separated. */
  to: string;
  now: Date;
  /** The unsubscribe token for this kind and account. */
  unsubscribeToken: string;
}

export type NotificationMailInput =
  | { kind: "ACCESS_REMINDER"; order: MailOrder; stage: AccessStage; accessEnd: Date }
  | { kind: "CREDIT_ALERT"; order: MailOrder; threshold: SpendThreshold; usedMicros: bigint; grantedMicros: bigint; accessEnd: Date }
  | {
      kind: "KEY_LIMIT_ALERT";
      order: MailOrder;
      threshold: SpendThreshold;
      key: { name: string; lastFour: string };
      spentMicros: bigint;
      limitMicros: bigint;
      resetsAt: Date;
    };

const KIND_NAMES: Record<NotificationKind, string> = {
  ACCESS_REMINDER: "access reminders",
  CREDIT_ALERT: "credit alerts",
  KEY_LIMIT_ALERT: "key spend-limit alerts",
};

function escapeHtml(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/** "2026-12-06 14:00 UTC". */
export function formatUtc(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "in 5 hours" / "2 hours ago". */
function relative(at: Date, now: Date): string {
  const ms = at.getTime() - now.getTime();
  return ms >= 0 ? `in ${formatSpan(ms)}` : `${formatSpan(-ms)} ago`;
}

export function orderPageUrl(publicUrl: string, orderId: string): string {
  return `${publicUrl}/orders/${encodeURIComponent(orderId)}`;
}

export function unsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/unsubscribe?t=${encodeURIComponent(token)}`;
}

function words(input: NotificationMailInput, now: Date): { subject: string; lines: string[] } {
  const order = `order ${input.order.marketplaceOrderId} (${input.order.planName})`;
  switch (input.kind) {
    case "ACCESS_REMINDER": {
      const when = `${formatUtc(input.accessEnd)}, ${relative(input.accessEnd, now)}`;
      if (input.stage === "ended") {
        return {
          subject: `Access ended: order ${input.order.marketplaceOrderId} ended ${formatUtc(input.accessEnd)}`,
          lines: [
            `Access for ${order} ended at ${when}.`,
            "Its API keys no longer work. Buy a new plan on the marketplace to continue; your usage history stays in the portal.",
          ],
        };
      }
      const left = input.stage === "7d" ? "7 days" : input.stage === "1d" ? "1 day" : "1 hour";
      return {
        subject: `Access ends in ${left}: order ${input.order.marketplaceOrderId} ends ${formatUtc(input.accessEnd)}`,
        lines: [
          `Access for ${order} ends at ${when}.`,
          "After that its API keys stop working. Renew on the marketplace before then to keep going without a break.",
        ],
      };
    }
    case "CREDIT_ALERT": {
      const left = input.grantedMicros - input.usedMicros;
      return {
        subject: `${input.threshold === 100 ? "Credit used up" : `${input.threshold} % of credit used`}: order ${input.order.marketplaceOrderId} (${formatUtc(now)})`,
        lines: [
          `As of ${formatUtc(now)}, ${order} has used ${formatUsd(input.usedMicros)} of its ${formatUsd(input.grantedMicros)} credit (${input.threshold === 100 ? "all of it" : `over ${input.threshold} %`}).`,
          left > 0n
            ? `${formatUsd(left)} remains. Requests are refused once it is used up; credit ends with access at ${formatUtc(input.accessEnd)}, ${relative(input.accessEnd, now)}.`
            : "Requests that cost money are refused until credit is added. Open a support ticket or buy more on the marketplace.",
        ],
      };
    }
    case "KEY_LIMIT_ALERT": {
      const key = `key "${input.key.name}" (ending ${input.key.lastFour})`;
      return {
        subject: `${input.threshold === 100 ? "Spend limit reached" : `${input.threshold} % of spend limit used`}: ${key} on order ${input.order.marketplaceOrderId}`,
        lines: [
          `As of ${formatUtc(now)}, ${key} on ${order} has spent ${formatUsd(input.spentMicros)} of its ${formatUsd(input.limitMicros)} limit (${input.threshold === 100 ? "all of it" : `over ${input.threshold} %`}).`,
          `${input.threshold === 100 ? "Its requests are refused" : "Requests are refused once the limit is reached"} until the limit resets at ${formatUtc(input.resetsAt)}, ${relative(input.resetsAt, now)}. The order page shows the key's settings.`,
        ],
      };
    }
  }
}

/** The mail for one due notification. */
export function composeNotificationMail(input: NotificationMailInput, context: MailContext): Notification {
  const { subject, lines } = words(input, context.now);
  const orderUrl = orderPageUrl(context.publicUrl, input.order.id);
  const stopUrl = unsubscribeUrl(context.publicUrl, context.unsubscribeToken);
  const kindName = KIND_NAMES[input.kind];
  const text = [
    ...lines,
    "",
    `Open the order: ${orderUrl}`,
    "",
    "—",
    `You get this because ${kindName} are on for your Gatehouse account. Turn them off: ${stopUrl}`,
    `(or in the portal under Mail settings: ${context.publicUrl}/settings)`,
  ].join("\n");
  const html = `<!doctype html>
<html lang="en">
<body style="font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; line-height: 1.5; color: #111827;">
${lines.map((line) => `<p>${escapeHtml(line)}</p>`).join("\n")}
<p><a href="${escapeHtml(orderUrl)}" style="display: inline-block; padding: 10px 18px; background: #1d4ed8; color: #ffffff; border-radius: 6px; text-decoration: none;">Open the order</a></p>
<p style="font-size: 13px; color: #4b5563;">You get this because ${escapeHtml(kindName)} are on for your Gatehouse account. <a href="${escapeHtml(stopUrl)}">Turn them off</a> or choose in the portal under <a href="${escapeHtml(`${context.publicUrl}/settings`)}">Mail settings</a>.</p>
</body>
</html>
`;
  return {
    to: context.to,
    subject,
    text,
    html,
    // RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the URL.
    headers: { "List-Unsubscribe": `<${stopUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  };
}
