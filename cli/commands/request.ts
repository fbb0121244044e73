import type { Command } from "../command";
import { CliError } from "../command";

export const requestShowCommand: Command = {
  path: ["request", "show"],
  summary: "Show one gateway request by its request id (x-request-id).",
  usage: "request show REQUEST_ID",
  positionals: { min: 1, max: 1, names: ["REQUEST_ID"] },
  async run(ctx, { positionals }) {
    const requestId = positionals[0] ?? "";
    const row = await ctx.database().prisma.requestLog.findUnique({ where: { requestId } });
    if (!row) throw new CliError(`No request with the id ${requestId}.`);
    const data = { ...row, id: row.id.toString(), costMicros: row.costMicros.toString() };
    const lines = [
      `${row.requestId}  ${row.createdAt.toISOString()}  ${row.endpoint}  ${row.model ?? "-"}${row.requestedModel ? ` (requested as ${row.requestedModel})` : ""}  status ${row.status}${row.errorCode ? ` (${row.errorCode})` : ""}`,
      `tokens in ${row.inputTokens} out ${row.outputTokens} cache read ${row.cacheReadTokens} write ${row.cacheWriteTokens}${row.estimated ? " (estimated)" : ""}`,
      `cost ${row.costMicros} micro-USD  latency ${row.latencyMs} ms  ttfb ${row.ttfbMs ?? "-"} ms  stream ${row.stream}`,
      `key ${row.apiKeyId ?? "-"}  order ${row.orderId ?? "-"}  channel ${row.channelId ?? "-"}  client ${row.clientIp ?? "-"}`,
    ];
    return { data: { request: data }, text: lines.join("\n") };
  },
};
