import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInLinkIn, startSmtpSink, type ReceivedMail, type SmtpSink } from "@/e2e/smtp-sink";
import { composeSignInEmail } from "./compose-sign-in-email";
import { deliverSignInLink, SIGN_IN_LINK_LOG_MARKER } from "./deliver-sign-in-link";

const url = "https://gate.example.com/signin/confirm?token=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef&email=dana%40example.com";

describe("composeSignInEmail", () => {
  it("names the lifetime and escapes the link in the HTML part", () => {
    const message = composeSignInEmail({ url: `${url}&x=<b>`, ttlSeconds: 900, publicUrl: "https://gate.example.com" });
    expect(message.subject).toContain("gate.example.com");
    expect(message.text).toContain("expires in 15 minutes");
    expect(message.text).toContain(`${url}&x=<b>`);
    expect(message.html).toContain("&amp;x=&lt;b&gt;");
    expect(message.html).not.toContain("<b>");
  });
});

describe("deliverSignInLink", () => {
  let sink: SmtpSink;
  const received: ReceivedMail[] = [];
  beforeAll(async () => {
    sink = await startSmtpSink({ onMail: (mail) => received.push(mail) });
  });
  afterAll(() => sink?.close());

  it("mails the link through SMTP_URL", async () => {
    const printed: string[] = [];
    await deliverSignInLink(
      { to: "dana@example.com", url, ttlSeconds: 900 },
      { smtpUrl: sink.url, emailFrom: "Gatehouse <no-reply@gate.example.com>", publicUrl: "https://gate.example.com" },
      (line) => printed.push(line),
    );
    expect(printed).toEqual([]);
    expect(received).toHaveLength(1);
    expect(received[0]?.to).toEqual(["dana@example.com"]);
    expect(received[0]?.from).toBe("no-reply@gate.example.com");
    expect(received[0] && signInLinkIn(received[0])).toBe(url);
  });

  it("prints one marked line with the link when SMTP_URL is unset", async () => {
    const printed: string[] = [];
    await deliverSignInLink(
      { to: "dana@example.com", url, ttlSeconds: 900 },
      { smtpUrl: undefined, emailFrom: "x <x@y.z>", publicUrl: "https://gate.example.com" },
      (line) => printed.push(line),
    );
    expect(printed).toEqual([`${SIGN_IN_LINK_LOG_MARKER} dana@example.com ${url}\n`]);
  });

  it("fails when the SMTP server cannot be reached", async () => {
    await expect(
      deliverSignInLink(
        { to: "dana@example.com", url, ttlSeconds: 900 },
        { smtpUrl: "smtp://127.0.0.1:1", emailFrom: "x <x@y.z>", publicUrl: "https://gate.example.com" },
      ),
    ).rejects.toThrow();
  });
});
