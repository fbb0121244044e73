import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import { createLogger, logger, redactUrl } from "./logger";
import { processSingleton } from "./process-singleton";

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString("utf8"));
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("logger", () => {
  it("writes JSON lines with redacted secrets at every supported depth", () => {
    const { stream, lines } = capture();
    const log = createLogger({ level: "info", destination: stream });
    log.info(
      {
        authorization: "Bearer sk-gate-top",
        "x-api-key": "sk-gate-top2",
        headers: { authorization: "Bearer a", "x-goog-api-key": "AIza-b", cookie: "s=c", "user-agent": "ua" },
        req: { headers: { "x-api-key": "sk-gate-d", "set-cookie": ["s=e"] } },
        channel: { apiKey: "sk-upstream", name: "openai" },
        config: { secret: "s", password: "p", token: "t", key: "k" },
        key: "k2",
      },
      "request",
    );
    const [line] = lines();
    expect(line).toMatchObject({
      level: 30,
      msg: "request",
      authorization: "[redacted]",
      "x-api-key": "[redacted]",
      headers: { authorization: "[redacted]", "x-goog-api-key": "[redacted]", cookie: "[redacted]", "user-agent": "ua" },
      req: { headers: { "x-api-key": "[redacted]", "set-cookie": "[redacted]" } },
      channel: { apiKey: "[redacted]", name: "openai" },
      config: { secret: "[redacted]", password: "[redacted]", token: "[redacted]", key: "[redacted]" },
      key: "[redacted]",
    });
    expect(typeof line?.time).toBe("string");
    expect(JSON.stringify(line)).not.toMatch(/sk-gate|AIza|sk-upstream/);
  });

  it("redacts credentials in a logged url field", () => {
    const { stream, lines } = capture();
    createLogger({ level: "info", destination: stream }).info({ url: "/v1beta/models/gemini-2.5-pro:generateContent?alt=sse&key=AIzaSecret" }, "gemini");
    expect(lines()[0]?.url).toBe("/v1beta/models/gemini-2.5-pro:generateContent?alt=sse&key=[redacted]");
  });

  it("takes the level from LOG_LEVEL and falls back on an unknown one", () => {
    expect(createLogger({ env: { LOG_LEVEL: "debug" } }).level).toBe("debug");
    expect(createLogger({ env: {} }).level).toBe("info");
    const { stream, lines } = capture();
    const log = createLogger({ env: { LOG_LEVEL: "chatty" }, destination: stream });
    expect(log.level).toBe("info");
    expect(lines()[0]).toMatchObject({ level: 40, LOG_LEVEL: "chatty" });
  });

  it("is one shared instance", async () => {
    const again = await import("./logger");
    expect(again.logger).toBe(logger);
    expect(processSingleton("logger", () => null)).toBe(logger);
  });
});

describe("redactUrl", () => {
  it("hides credential query parameters and leaves the rest", () => {
    expect(redactUrl("https://api.example/v1beta/models?key=AIzaXYZ&pageSize=5")).toBe("https://api.example/v1beta/models?key=[redacted]&pageSize=5");
    expect(redactUrl("/x?pageSize=5&KEY=abc#frag")).toBe("/x?pageSize=5&KEY=[redacted]#frag");
    expect(redactUrl("/x?api_key=1&access_token=2&monkey=3&keys=4")).toBe("/x?api_key=[redacted]&access_token=[redacted]&monkey=3&keys=4");
    expect(redactUrl("/x#key=fragment-is-not-sent")).toBe("/x#key=fragment-is-not-sent");
    expect(redactUrl("/v1/chat/completions")).toBe("/v1/chat/completions");
  });

  it("hides the password of a connection URL", () => {
    expect(redactUrl("postgresql://app:s3cr:et@db:5432/gatehouse?sslmode=require")).toBe("postgresql://app:[redacted]@db:5432/gatehouse?sslmode=require");
    expect(redactUrl("redis://:hunter2@127.0.0.1:6379/0")).toBe("redis://:[redacted]@127.0.0.1:6379/0");
    expect(redactUrl("smtp://mailer@smtp.example:25")).toBe("smtp://mailer@smtp.example:25");
  });
});
