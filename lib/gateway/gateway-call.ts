import "server-only";
import { errorAnswer, toGatewayError } from "@/lib/errors";
import { hostedBytes } from "@/lib/server/node-host";
import { clientIpFromHeaders } from "@/lib/server/client-ip";
import { logger } from "@/lib/server/logger";
import { authenticate } from "./authenticate";
import type { GatewayKey } from "./load-key";
import { logCall } from "./meter";
import { newRequestId } from "./request-id";
import { isUnknownKeyRefusal } from "./unknown-key-limit";
import type { Protocol } from "./types";
import type { FailedAttempt } from "./usage-writer";

/**
 * One /v1 request on its way through the gateway. A class rather than an object literal with a
 * getter: a literal with an accessor is built slowly and gets a shape of its own, and this object
 * is read all along the request's path.
 */
export class GatewayCall {
  readonly requestId = newRequestId();
  readonly clientIp: string | null;
  /** performance.now() at arrival, for the latency. */
  readonly started = performance.now();
  /** When the request arrived (epoch ms): its log row's time, so it lands in the month it was reserved in. */
  readonly startedAt = Date.now();
  /** The authenticated key, once known: the log row is linked to it. */
  key: GatewayKey | undefined = undefined;
  /** The model asked for, once known; once resolved, the plan model that serves it. */
  model: string | undefined = undefined;
  /** The plan alias the client sent, when `model` was reached through one. */
  requestedModel: string | undefined = undefined;
  /** Set by a handler whose log row is written when the exchange ends (logCall), not on return. */
  logLater = false;
  /** The channels that failed before one answered, for the log row; null while none has. */
  failover: FailedAttempt[] | null = null;
  private parsedUrl: URL | undefined = undefined;

  constructor(
    readonly request: Request,
    readonly protocol: Protocol,
    readonly endpoint: string,
  ) {
    this.clientIp = clientIpFromHeaders(request.headers);
  }

  /** The request URL, parsed when first read: OpenAI requests never need it. */
  get url(): URL {
    return (this.parsedUrl ??= new URL(this.request.url));
  }
}

/**
 * Common frame of every /v1 handler: request id, the key (authenticate.ts), error shape, and one
 * log row for each request (written here on return or on error, or by the handler itself when it
 * set `logLater`). The handler runs once the key is accepted.
 *
 * A refused key is answered here without entering the handler: refusals are the answer a flood
 * gets (made-up keys from one client or many), and this way one costs no async frame of the
 * handler's and no exception thrown through it.
 */
export function withGateway(
  request: Request,
  options: { protocol: Protocol; endpoint: string },
  handler: (call: GatewayCall, key: GatewayKey) => Promise<Response>,
): Promise<Response> {
  const call = new GatewayCall(request, options.protocol, options.endpoint);
  let key: GatewayKey | Promise<GatewayKey>;
  try {
    key = authenticate(call);
  } catch (err) {
    return Promise.resolve(failed(call, err));
  }
  if (key instanceof Promise)
    return key.then(
      (k) => handle(call, k, handler),
      (err: unknown) => failed(call, err),
    );
  return handle(call, key, handler);
}

async function handle(call: GatewayCall, key: GatewayKey, handler: (call: GatewayCall, key: GatewayKey) => Promise<Response>): Promise<Response> {
  try {
    const response = await handler(call, key);
    if (!call.logLater) logCall(call, { status: response.status });
    return response;
  } catch (err) {
    return failed(call, err);
  }
}

/** The answer to a request that failed or was refused, and its log row (or only its count: isUnknownKeyRefusal). */
function failed(call: GatewayCall, err: unknown): Response {
  const model = typeof call.model === "string" ? call.model.slice(0, 200) : null;
  if (err instanceof ClientGoneError) {
    logCall(call, { status: 499, errorCode: "client_closed", model });
    return new Response(null, { status: 499 });
  }
  const error = toGatewayError(err);
  if (error.code === "internal_error") logger.error({ err, requestId: call.requestId, endpoint: call.endpoint }, "gateway request failed");
  logCall(call, { status: error.status, errorCode: error.code, model }, !isUnknownKeyRefusal(error));
  // Under the node host its bytes go to the socket as they are (refusals of unknown keys are
  // answered as often as anything), elsewhere as a Response like any other.
  const answer = errorAnswer(error, call.protocol, call.requestId);
  return hostedBytes(call.request, Buffer.from(answer.body), { status: answer.status, headers: answer.headers });
}

/** The client disconnected before an upstream answered: nothing to send, nothing to bill. */
export class ClientGoneError extends Error {
  constructor() {
    super("client closed the request");
    this.name = "ClientGoneError";
  }
}
