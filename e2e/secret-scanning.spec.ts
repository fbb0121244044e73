import { createHash, generateKeyPairSync } from "node:crypto";
import { expect, test } from "@playwright/test";
import { INVALIDATION_BOUND_MS } from "./fixtures/invalidation";
import { buyAndSignIn, keyCheck, reveal } from "./fixtures/marketplace";
import { publishGithubKeys, sendReport, type GithubStandIn } from "./fixtures/secret-scanning";
import { mailTo } from "./mail";
import { DEMO } from "./sign-in";
import { decodeQuotedPrintable } from "./smtp-sink";

// GitHub's secret-scanning report against the running server: the reported key is refused by the
// gateway within a second, the buyer is mailed where it was found and finds the ticket on their
// account (the desk is mailed about it), and a replay (or a forged report) changes nothing.

let github: GithubStandIn;
test.beforeAll(async () => {
  github = await publishGithubKeys();
});
test.afterAll(async () => {
  await github?.close();
});

test("a signed report replaces the key at once, mails the buyer, opens a ticket; a replay or a forgery changes nothing", async ({ page, request }) => {
  test.setTimeout(60_000);
  const since = new Date(Date.now() - 1_000);
  // A buyer buys, signs in and reveals their key (they stay signed in to find the ticket later).
  const { email } = await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 86_400_000) }, "Starter 30");
  const key = await reveal(page);
  expect((await keyCheck(request, key)).status).toBe(200);
  const leakUrl = `https://github.com/octocat/leaky/blob/${Date.now().toString(16)}/.env`;
  const body = JSON.stringify([{ token: key, type: "gatehouse_api_key", url: leakUrl, source: "content" }]);

  // A forged report (signed with a key GitHub never published) is refused and the key still works.
  const forged = await sendReport(request, body, generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey);
  expect(forged).toMatchObject({ status: 401, body: { error: { code: "invalid_signature" } } });
  expect((await keyCheck(request, key)).status).toBe(200);

  const answer = await sendReport(request, body, github.privateKey);
  const answeredAt = Date.now();
  const verdict = [{ token_hash: createHash("sha256").update(key).digest("hex"), token_type: "gatehouse_api_key", label: "true_positive" }];
  expect(answer).toEqual({ status: 200, body: verdict });
  await expect.poll(async () => (await keyCheck(request, key)).body.error?.code, { timeout: INVALIDATION_BOUND_MS, intervals: [50] }).toBe("api_key_replaced");
  expect(Date.now() - answeredAt).toBeLessThan(INVALIDATION_BOUND_MS);

  // The buyer's notice names where the key was found, never the key.
  const notices = () =>
    mailTo(email, since)
      .map((m) => decodeQuotedPrintable(m.raw))
      .filter((text) => text.includes(leakUrl));
  await expect.poll(() => notices().length, { timeout: 10_000 }).toBe(1);
  expect(notices()[0]).not.toContain(key);

  // The ticket is on the buyer's account, and the desk was told about it.
  const subject = `API key ending in ${key.slice(-4)} found in public`;
  const deskMail = () => mailTo(DEMO.support, since).filter((m) => decodeQuotedPrintable(m.raw).includes(subject));
  // Every agent is mailed, one message at a time: in a long run there are many.
  await expect.poll(() => deskMail().length, { timeout: 20_000 }).toBe(1);
  await page.goto("/support");
  const tickets = page.getByRole("link", { name: subject });
  await expect(tickets).toHaveCount(1);

  // The replay: the same verdict, nothing new.
  expect(await sendReport(request, body, github.privateKey)).toEqual({ status: 200, body: verdict });
  expect((await keyCheck(request, key)).body.error?.code).toBe("api_key_replaced");
  await page.waitForTimeout(1_000);
  expect(notices()).toHaveLength(1);
  expect(deskMail()).toHaveLength(1);
  await page.reload();
  await expect(tickets).toHaveCount(1);
});
