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
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.unknown())]),
  stream: z.boolean().nullish(),
});

export function checkResponsesBody(body: Record<string, unknown>): void {
  const stateful = statefulField(body);
  if (stateful) throw new GatewayError("invalid_request", { reason: `"${stateful}" ${STATEFUL_REASON}`, param: stateful });
  const parsed = responsesBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.join(".") || "body";
    throw new GatewayError("invalid_request", { reason: `"${param}" ${issue.message.toLowerCase()}`, param });
  }
}
