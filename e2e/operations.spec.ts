import { expect, test, type APIRequestContext } from "@playwright/test";
import { createKey } from "./fixtures/cli";

// What a balancer and a Prometheus scraper see of the main test server: readiness, and the gateway
// counted by the server's own bundle (server.ts) and served by Next's (/metrics), one registry.

const TOKEN = process.env.E2E_METRICS_TOKEN!;

async function scrape(request: APIRequestContext): Promise<string> {
  const res = await request.get("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status()).toBe(200);
  return res.text();
}

/** The sum of a metric's samples whose labels include `labels`. */
function total(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split("\n")
    .filter((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && wanted.every((w) => line.includes(w)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

test("readiness for the balancer, and metrics for the scraper: a gateway answer counted with its model and channel", async ({ request }) => {
  const ready = await request.get("/api/ready");
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toMatchObject({ ready: true, draining: false, database: { ok: true } });

  expect((await request.get("/metrics")).status()).toBe(401);
  expect((await request.get("/metrics", { headers: { authorization: "Bearer wrong-token-0123456789" } })).status()).toBe(401);

  const labels = { endpoint: "/v1/chat/completions", status: "200", model: "gpt-4o-mini" };
  const before = total(await scrape(request), "gatehouse_gateway_requests_total", labels);
  const { key } = await createKey();
  const answer = await request.post("/v1/chat/completions", {
    headers: { authorization: `Bearer ${key}` },
    data: { model: "gpt-4o-mini", messages: [{ role: "user", content: "count me" }], max_tokens: 3 },
  });
  expect(answer.status()).toBe(200);
  const refused = await request.post("/v1/chat/completions", {
    headers: { authorization: `Bearer ${key}` },
    data: { model: "gpt-<img src=x>", messages: [{ role: "user", content: "count me" }] },
  });
  expect(refused.status()).toBe(404);

  const text = await scrape(request);
  expect(total(text, "gatehouse_gateway_requests_total", labels)).toBe(before + 1);
  // Labelled with the channel that answered; the refused call's made-up model is not a label.
  expect(text).toMatch(/gatehouse_gateway_requests_total\{endpoint="\/v1\/chat\/completions",status="200",model="gpt-4o-mini",channel="[^"]+"\}/);
  expect(text).not.toContain("<img");
  expect(total(text, "gatehouse_gateway_requests_total", { endpoint: "/v1/chat/completions", status: "404", model: "none" })).toBeGreaterThanOrEqual(1);
  expect(total(text, "gatehouse_gateway_request_duration_seconds_count", { endpoint: "/v1/chat/completions" })).toBeGreaterThanOrEqual(2);
  expect(text).toContain("gatehouse_metering_queue_depth");
  expect(text).toContain("gatehouse_process_resident_memory_bytes");
  // Nothing in flight: every reservation was settled.
  await expect.poll(async () => total(await scrape(request), "gatehouse_spend_reservations_outstanding", {})).toBe(0);
});
