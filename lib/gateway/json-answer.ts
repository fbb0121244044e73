import "server-only";
import { hostedBytes } from "@/lib/server/node-host";
import type { GatewayCall } from "./gateway-call";

/**
 * A read-only endpoint's JSON answer (the model lists, a key's status), never cached, with the
 * request's id and `headers` besides. Under the node host its bytes and header pairs go to the
 * socket as they are, as a refusal's do (withGateway); elsewhere, a Response of the same bytes.
 */
export function jsonAnswer(call: GatewayCall, value: unknown, headers: [string, string][] = []): Response {
  const bytes = Buffer.from(JSON.stringify(value));
  return hostedBytes(call.request, bytes, {
    status: 200,
    headers: [["content-type", "application/json"], ["cache-control", "no-store"], ["x-request-id", call.requestId], ...headers],
  });
}
