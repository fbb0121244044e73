import { describe, expect, it } from "vitest";
import { GatewayError } from "@/lib/errors";
import { checkResponsesBody } from "./responses-body";

function refusal(body: Record<string, unknown>): { param: string | null; message: string } {
  try {
    checkResponsesBody(body);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return { param: (err as GatewayError).param, message: (err as GatewayError).message };
  }
  throw new Error("accepted");
}

describe("checkResponsesBody", () => {
  it("accepts what Codex sends: a model, input items, store false, unknown fields", () => {
    expect(() => checkResponsesBody({ model: "m", input: [{ role: "user", content: "hi" }], store: false, client_metadata: {}, stream: true })).not.toThrow();
    expect(() => checkResponsesBody({ model: "m", input: "hi", previous_response_id: null })).not.toThrow();
  });

  it("refuses what needs a stored response, naming the field and saying to send the whole input", () => {
    for (const [field, value] of [
      ["previous_response_id", "resp_1"],
      ["conversation", "conv_1"],
      ["background", true],
    ] as const) {
      const { param, message } = refusal({ model: "m", input: "hi", [field]: value });
      expect(param).toBe(field);
      expect(message).toContain(`"${field}"`);
      expect(message).toContain("send the whole conversation in `input`");
    }
  });

  it("names a missing or mistyped required field", () => {
    expect(refusal({ model: "m" })).toEqual({
      param: "input",
      message: 'Invalid request: "input" is required: the conversation, as a string or a list of input items',
    });
    expect(refusal({ input: "hi" }).param).toBe("model");
    expect(refusal({ model: "m", input: 3 }).param).toBe("input");
  });
});
