import { describeDuration } from "@/lib/time/describe-duration";

export interface SignInEmail {
  subject: string;
  text: string;
  html: string;
}

function escapeHtml(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/**
 * The sign-in email: the link, how long it works, and what to do when it was not requested. The
 * link opens a confirmation page, so saying "press Sign in" matches what the reader will see.
 */
export function composeSignInEmail(input: { url: string; ttlSeconds: number; publicUrl: string }): SignInEmail {
  const host = new URL(input.publicUrl).host;
  const lifetime = describeDuration(input.ttlSeconds);
  const subject = `Your sign-in link for Gatehouse (${host})`;
  const text = [
    "Open this link and press Sign in to sign in to Gatehouse:",
    "",
    input.url,
    "",
    `The link works once and expires in ${lifetime}. If it has expired, ask for a new one on the sign-in page.`,
    "If you did not ask to sign in, you can ignore this email: nobody can sign in without the link.",
  ].join("\n");
  const url = escapeHtml(input.url);
  const html = `<!doctype html>
<html lang="en">
<body style="font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; line-height: 1.5; color: #111827;">
<p>Open this link and press <strong>Sign in</strong> to sign in to Gatehouse (${escapeHtml(host)}):</p>
<p><a href="${url}" style="display: inline-block; padding: 10px 18px; background: #1d4ed8; color: #ffffff; border-radius: 6px; text-decoration: none;">Open the sign-in page</a></p>
<p style="font-size: 14px; color: #4b5563;">Or copy this address into your browser:<br><span style="word-break: break-all;">${url}</span></p>
<p style="font-size: 14px; color: #4b5563;">The link works once and expires in ${escapeHtml(lifetime)}. If you did not ask to sign in, you can ignore this email.</p>
</body>
</html>
`;
  return { subject, text, html };
}
