import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "@/lib/db/migrations";
import { sharedPathProtocol } from "./client-protocol";
import { gatewayFallback, gatewayFallbackResponse, gatewayRoute } from "./routes";

/** Every route file under app/v1 and app/v1beta, with its URL path and exported methods. */
function routeFiles(): { path: string; methods: string[] }[] {
  const found: { path: string; methods: string[] }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      // The catch-all files answer every other path (gatewayFallback): checked below.
      if (entry.isDirectory()) {
        if (!entry.name.startsWith("[[...")) walk(full);
      } else if (entry.name === "route.ts") {
        const source = readFileSync(full, "utf8");
        const methods = [...source.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g)].map((m) => m[1]!);
        const path = "/" + relative(join(PROJECT_ROOT, "app"), join(full, "..")).split(sep).join("/");
        found.push({ path: path.replace("[target]", "gemini-2.5-flash:generateContent"), methods });
      }
    }
  };
  walk(join(PROJECT_ROOT, "app", "v1"));
  walk(join(PROJECT_ROOT, "app", "v1beta"));
  return found;
}

describe("gatewayRoute", () => {
  it("serves exactly the methods the route files under app/v1 and app/v1beta export", () => {
    const files = routeFiles();
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const { path, methods } of files) {
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
        expect({ path, method, served: gatewayRoute(method, path) !== null }).toEqual({ path, method, served: methods.includes(method) });
      }
    }
  });

  it("has no endpoint for other methods and paths", () => {
    expect(gatewayRoute("HEAD", "/v1/models")).toBeNull(); // Next answers HEAD from GET
    expect(gatewayRoute("POST", "/v1/chat/completions/")).toBeNull(); // Next redirects the slash
    expect(gatewayRoute("POST", "/v1/chat")).toBeNull();
    expect(gatewayRoute("POST", "/v1beta/models/")).toBeNull();
    expect(gatewayRoute("POST", "/v1beta/models/a/b")).toBeNull();
    expect(gatewayRoute("GET", "/v1/models/a/b")).toBeNull();
    expect(gatewayRoute("POST", "/v1beta/models/gpt-4o-mini\\gemini-2.5-flash:generateContent")).toBeNull(); // a slash to URL parsers
    expect(gatewayRoute(undefined, "/v1/models")).toBeNull();
    expect(gatewayRoute("GET", "constructor")).toBeNull();
    expect(gatewayRoute("constructor", "/v1/models")).toBeNull();
    expect(gatewayRoute("POST", "/v1beta/models/gemini-2.5-flash%3AstreamGenerateContent")).not.toBeNull();
    // Not valid percent-encoded UTF-8: answered by the gateway (400), which Next would fail on.
    expect(gatewayRoute("POST", "/v1beta/models/%E0%A4%A")).not.toBeNull();
  });

  it("serves Gemini's methods on /v1/models/ as on /v1beta, and answers an unknown method in Google's shape", async () => {
    for (const method of ["generateContent", "streamGenerateContent", "countTokens", "embedContent", "batchEmbedContents"]) {
      expect(gatewayRoute("POST", `/v1/models/gemini-2.5-flash:${method}`)).not.toBeNull();
    }
    const res = await gatewayRoute("POST", "/v1/models/gemini-2.5-flash:summon")!(
      new Request("http://gw/v1/models/gemini-2.5-flash:summon", { method: "POST" }),
    );
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { status: string; message: string; details: { metadata?: { code: string } }[] } };
    expect(body.error.status).toBe("NOT_FOUND");
    expect(body.error.details[0]?.metadata?.code).toBe("endpoint_not_found");
    expect(body.error.message).toContain("POST /v1/models/{model}:generateContent");
  });

  it("tells a Gemini client from an OpenAI or Anthropic one on the shared /v1/models paths by its headers", () => {
    const url = (q = "") => new URL(`http://gw/v1/models/gemini-2.5-flash${q}`);
    expect(sharedPathProtocol(new Headers({ "x-goog-api-key": "k" }), url())).toBe("gemini");
    expect(sharedPathProtocol(new Headers(), url("?key=k"))).toBe("gemini");
    expect(sharedPathProtocol(new Headers({ authorization: "Bearer k" }), url())).toBe("openai");
    expect(sharedPathProtocol(new Headers({ authorization: "Bearer k" }), url("?key=k"))).toBe("openai");
    expect(sharedPathProtocol(new Headers({ "x-api-key": "k", "x-goog-api-key": "k" }), url())).toBe("openai");
    expect(sharedPathProtocol(new Headers({ "x-api-key": "k", "anthropic-version": "2023-06-01" }), url())).toBe("anthropic");
    expect(sharedPathProtocol(new Headers(), url())).toBe("openai");
  });
});

describe("gatewayFallback", () => {
  const answer = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const handler = gatewayFallback(method, path);
    expect(handler, `${method} ${path}`).not.toBeNull();
    const res = await handler!(new Request(`http://gw${path}`, { method, headers }));
    return { res, body: (await res.json()) as Record<string, unknown> };
  };

  it("answers any other path under /v1 and /v1beta with a JSON 404 in the caller's protocol, naming the endpoints", async () => {
    const openai = await answer("POST", "/v1/completions", { authorization: "Bearer k" });
    expect(openai.res.status).toBe(404);
    expect(openai.res.headers.get("content-type")).toContain("application/json");
    expect(openai.res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(openai.body).toMatchObject({ error: { code: "endpoint_not_found", type: "invalid_request_error" } });
    const message = (openai.body.error as { message: string }).message;
    for (const endpoint of [
      "POST /v1/chat/completions",
      "POST /v1/embeddings",
      "POST /v1/messages",
      "GET /v1/models/{model}",
      "GET /v1/key",
      ":generateContent",
    ]) {
      expect(message).toContain(endpoint);
    }
    const anthropic = await answer("GET", "/v1/messages/batches", { "x-api-key": "k", "anthropic-version": "2023-06-01" });
    expect(anthropic.body).toMatchObject({ type: "error", error: { type: "not_found_error", code: "endpoint_not_found" } });
    const gemini = await answer("POST", "/v1beta/tunedModels", { "x-goog-api-key": "k" });
    expect(gemini.body).toMatchObject({ error: { code: 404, status: "NOT_FOUND" } });
    const geminiOnV1 = await answer("GET", "/v1/files", { "x-goog-api-key": "k" });
    expect(geminiOnV1.body).toMatchObject({ error: { status: "NOT_FOUND" } });
    for (const path of ["/v1", "/v1beta", "/v1/models/a/b", "/v1/%E0%A4%A"]) expect((await answer("GET", path)).res.status).toBe(404);
  });

  it("answers an endpoint's path with another method 405, with Allow", async () => {
    const post = await answer("GET", "/v1/chat/completions");
    expect(post.res.status).toBe(405);
    expect(post.res.headers.get("allow")).toBe("POST");
    expect(post.body).toMatchObject({ error: { code: "method_not_allowed", type: "invalid_request_error" } });
    const models = await answer("DELETE", "/v1/models/gpt-4.1-mini", { authorization: "Bearer k" });
    expect(models.res.status).toBe(405);
    expect(models.res.headers.get("allow")).toBe("GET, POST");
    const gemini = await answer("PUT", "/v1beta/models");
    expect(gemini.res.headers.get("allow")).toBe("GET");
    expect(gemini.body).toMatchObject({ error: { code: 405, details: [{ metadata: { code: "method_not_allowed" } }] } });
    expect((await answer("HEAD", "/v1/embeddings")).res.status).toBe(405);
  });

  it("leaves to Next what it answers as it does any path", () => {
    expect(gatewayFallback("GET", "/v1x")).toBeNull();
    expect(gatewayFallback("GET", "/api/health")).toBeNull();
    expect(gatewayFallback("POST", "/v1/chat/completions/")).toBeNull(); // redirected without the slash
    expect(gatewayFallback("POST", "/v1beta/models/a\\b")).toBeNull();
    expect(gatewayFallback("HEAD", "/v1/models")).toBeNull(); // from its GET
    expect(gatewayFallback("OPTIONS", "/v1/chat/completions")).toBeNull(); // 204 with Allow
  });

  it("is what the catch-all route files under app/v1 and app/v1beta answer, for every method", async () => {
    for (const prefix of ["v1", "v1beta"]) {
      const source = readFileSync(join(PROJECT_ROOT, "app", prefix, "[[...rest]]", "route.ts"), "utf8");
      for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
        expect(source).toContain(`export const ${method} = gatewayFallbackResponse;`);
      }
    }
    const res = await gatewayFallbackResponse(new Request("http://gw/v1beta/cachedContents", { method: "POST" }));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { status: "NOT_FOUND", details: [{ metadata: { code: "endpoint_not_found" } }] } });
  });
});
