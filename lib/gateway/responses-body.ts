import "server-only";
import { z } from "zod";
import { GatewayError } from "@/lib/errors";
import { STATEFUL_REASON, statefulField } from "@/lib/translate";

// The checks a Responses API body gets before anything is reserved or forwarded, whatever the
// channel: the fields every channel needs, and the refusal of the features that need a response
// stored by an earlier call (the gateway stores none; a follow-up may reach another channel).
// Everything else is the channel's business: an OpenAI channel gets the bytes as sent, the
// translators refuse what another provider cannot take.

const responsesBody = z.looseObject({
  model: z.string({ error: "must be the name of a model" }).min(1, { error: "must be the name of a model" }),
  input: z.union([z.string(), z.array(z.unknown())], { error: "is required: the conversation, as a string or a list of input items" }),
  stream: z.boolean({ error: "must be true or false" }).nullish(),
});

export function checkResponsesBody(body: Record<string, unknown>): void {
  const stateful = statefulField(body);
  if (stateful) throw new GatewayError("invalid_request", { reason: `"${stateful}" ${STATEFUL_REASON}`, param: stateful });
  const parsed = responsesBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.join(".") || "body";
    throw new GatewayError("invalid_request", { reason: `"${param}" ${issue.message}`, param });
  }
}
