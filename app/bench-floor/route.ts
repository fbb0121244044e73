import { callUpstream } from "@/lib/gateway/upstream-client";

// POST /bench-floor — the benchmark's "floor" (bench/README.md), not a product endpoint.
//
// The cheapest proxy that can live in this Next build: read and parse the JSON body, forward it
// with the gateway's pooled undici client (same Agent, same settings) to the mock upstream's
// OpenAI endpoint, and pass the answer back (a stream chunk by chunk). Whatever the gateway takes
// beyond this route — key checks, catalog, limits, metering — is the gateway's own cost; whatever
// this route takes is Next's (routing, Web Request/Response adaptation) and the upstream's.
// `npm run bench` compares the two in the same server process.
//
// Inert in normal operation: it answers 404 unless the server was started with
// GATEHOUSE_BENCH_FLOOR_URL set to a loopback base URL (the bench sets it to the mock upstream).
// It never opens the database and sends no credential of ours upstream.

export const dynamic = "force-dynamic";

/** Only a request that asks for it is paced: lets the bench hold slow streams through the floor. */
const CHUNK_DELAY_HEADER = "x-mock-chunk-delay-ms";

let cachedTarget: { raw: string | undefined; url: string | null } | undefined;

/** `${GATEHOUSE_BENCH_FLOOR_URL}/v1/chat/completions`, or null when unset or not loopback. */
function floorTarget(): string | null {
  const raw = process.env.GATEHOUSE_BENCH_FLOOR_URL;
  if (cachedTarget && cachedTarget.raw === raw) return cachedTarget.url;
  let url: string | null = null;
  if (raw) {
    try {
      const base = new URL(raw);
      const loopback = base.hostname === "127.0.0.1" || base.hostname === "localhost" || base.hostname === "[::1]";
      if (loopback && base.protocol === "http:") url = `${base.origin}${base.pathname.replace(/\/+$/, "")}/v1/chat/completions`;
    } catch {
      url = null;
    }
  }
  cachedTarget = { raw, url };
  return url;
}

function notFound(): Response {
  return new Response("Not Found", { status: 404, headers: { "content-type": "text/plain" } });
}

export function GET(): Response {
  return notFound();
}

export async function POST(request: Request): Promise<Response> {
  const url = floorTarget();
  if (!url) return notFound();

  const raw = new Uint8Array(await request.arrayBuffer());
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    return Response.json({ error: { message: "the body is not valid JSON" } }, { status: 400 });
  }
  const stream = typeof body === "object" && body !== null && (body as { stream?: unknown }).stream === true;

  const headers: Record<string, string> = { "content-type": "application/json", authorization: "Bearer bench-floor" };
  const delay = request.headers.get(CHUNK_DELAY_HEADER);
  if (delay !== null) headers[CHUNK_DELAY_HEADER] = delay;

  let upstream: Awaited<ReturnType<typeof callUpstream>>;
  try {
    upstream = await callUpstream({ url, headers, body: raw, signal: request.signal, headersTimeoutMs: 300_000 });
  } catch (err) {
    return Response.json({ error: { message: `upstream unreachable: ${(err as Error).message}` } }, { status: 502 });
  }
  const contentType = upstream.headers["content-type"];
  const responseHeaders = { "content-type": typeof contentType === "string" ? contentType : "application/json", "cache-control": "no-store" };

  if (!stream || upstream.statusCode !== 200) {
    return new Response(await upstream.body.bytes(), { status: upstream.statusCode, headers: responseHeaders });
  }

  return new Response(upstream.body.toWebStream(), { status: 200, headers: responseHeaders });
}
