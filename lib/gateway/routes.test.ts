import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "@/lib/db/migrations";
import { gatewayRoute } from "./routes";

/** Every route file under app/v1 and app/v1beta, with its URL path and exported methods. */
function routeFiles(): { path: string; methods: string[] }[] {
  const found: { path: string; methods: string[] }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
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

  it("leaves every other request to Next", () => {
    expect(gatewayRoute("HEAD", "/v1/models")).toBeNull(); // Next answers HEAD from GET
    expect(gatewayRoute("POST", "/v1/chat/completions/")).toBeNull(); // Next redirects the slash
    expect(gatewayRoute("POST", "/v1/chat")).toBeNull();
    expect(gatewayRoute("POST", "/v1beta/models/")).toBeNull();
    expect(gatewayRoute("POST", "/v1beta/models/a/b")).toBeNull();
    expect(gatewayRoute("POST", "/v1beta/models/gpt-4o-mini\\gemini-2.5-flash:generateContent")).toBeNull(); // a slash to URL parsers
    expect(gatewayRoute(undefined, "/v1/models")).toBeNull();
    expect(gatewayRoute("POST", "/v1beta/models/gemini-2.5-flash%3AstreamGenerateContent")).not.toBeNull();
    // Not valid percent-encoded UTF-8: answered by the gateway (400), which Next would fail on.
    expect(gatewayRoute("POST", "/v1beta/models/%E0%A4%A")).not.toBeNull();
  });
});
