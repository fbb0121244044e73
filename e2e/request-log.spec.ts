import { expect, test } from "@playwright/test";
import { buyAndSignIn, reveal } from "./fixtures/marketplace";

// The buyer's request log after real gateway traffic through the mock upstream: the page, the
// search by request id, the detail and the CSV show exactly what the gateway logged.

interface Call {
  requestId: string;
  status: number;
}

test.describe("request log", () => {
  test("after gateway traffic: the log, the search by id, the detail and the CSV show exactly the logged requests", async ({ page, request }) => {
    test.setTimeout(120_000);
    const { orderId } = await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 86_400_000) }, "Starter 30");
    const key = await reveal(page);
    const calls: Call[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await request.post("/v1/chat/completions", {
        headers: { authorization: `Bearer ${key}` },
        data: { model: "gpt-4.1-mini", messages: [{ role: "user", content: `hello ${i}` }] },
      });
      calls.push({ requestId: ok.headers()["x-request-id"]!, status: ok.status() });
    }
    // A model outside the plan: refused, logged with its code, costs nothing.
    const refused = await request.post("/v1/chat/completions", {
      headers: { authorization: `Bearer ${key}` },
      data: { model: "claude-opus-4-1", messages: [{ role: "user", content: "hi" }] },
    });
    calls.push({ requestId: refused.headers()["x-request-id"]!, status: refused.status() });
    expect(calls.map((c) => c.status)).toEqual([200, 200, 200, 403]);

    // The CSV (the page's filters, the session's account) once the usage writer has flushed.
    const csvRows = async () => {
      const response = await page.request.get("/usage/requests/export");
      expect(response.headers()["content-type"]).toContain("text/csv");
      return (await response.text()).trim().split("\r\n");
    };
    await expect.poll(async () => (await csvRows()).length, { timeout: 15_000 }).toBe(calls.length + 1);
    const [header, ...lines] = await csvRows();
    expect(header).toBe(
      "time_utc,request_id,key,order,endpoint,model,stream,status,error_code,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,cost_usd,tokens_estimated,latency_ms,ttfb_ms",
    );
    const byId = new Map(lines.map((line) => [line.split(",")[1]!, line.split(",")]));
    expect([...byId.keys()].sort()).toEqual(calls.map((c) => c.requestId).sort());
    for (const call of calls) {
      const cells = byId.get(call.requestId)!;
      expect(cells[2]).toBe(`…${key.slice(-4)}`);
      expect(cells[3]).toBe(orderId);
      expect(Number(cells[7])).toBe(call.status);
      if (call.status === 200) expect(Number(cells[13])).toBeGreaterThan(0);
      else expect([cells[8], cells[13]]).toEqual(["model_not_allowed", "0"]);
    }
    const totalCost = lines.reduce((sum, line) => sum + Number(line.split(",")[13]), 0);

    // The page lists the same requests; the failed filter shows the refused one only.
    await page.goto("/usage/requests");
    for (const call of calls) await expect(page.getByRole("link", { name: call.requestId })).toBeVisible();
    await page.getByLabel("Outcome").selectOption("error");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/outcome=error/);
    await expect(page.getByRole("link", { name: /^req_/ })).toHaveCount(1);
    await expect(page.getByRole("link", { name: calls[3]!.requestId })).toBeVisible();

    // Search by id, pasted with spaces around it, opens the detail with the cost's computation.
    await page.getByLabel("Find a request by id").fill(`  ${calls[0]!.requestId}  `);
    await page.getByRole("button", { name: "Find" }).click();
    await expect(page).toHaveURL(new RegExp(`/usage/requests/${calls[0]!.requestId}$`));
    await expect(page.getByText(/input × \$[\d.]+\/M/)).toBeVisible();
    await expect(page.getByRole("link", { name: "Ask support about this request" })).toHaveAttribute("href", new RegExp(`request=${calls[0]!.requestId}`));
    // An id that is not the buyer's says so.
    await page.goto("/usage/requests?id=req_000000000000000000000000");
    await expect(page.getByRole("status").filter({ hasText: "No request req_000000000000000000000000 in your log" })).toBeVisible();

    // The balance page sums the day's debits to the same total.
    await page.goto("/usage/balance");
    await expect(page.getByRole("link", { name: "3 requests" })).toBeVisible();
    const row = page.getByRole("row", { name: /3 requests/ });
    await expect(row).toContainText(
      `-$${totalCost
        .toFixed(6)
        .replace(/0+$/, "")
        .replace(/\.(\d)$/, ".$10")}`,
    );
  });
});
