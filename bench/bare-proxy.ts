/**
 * The bench's reference proxy: plain node:http in, a keep-alive http.Agent out, bytes piped both
 * ways with no parsing. What a proxy costs on this machine before any framework is involved.
 * With --http2 the upstream side is HTTP/2 by prior knowledge instead, a hundred streams to a
 * session, as the gateway's is with UPSTREAM_HTTP2=on.
 *
 *   node --import tsx bench/bare-proxy.ts --port 4020 --upstream http://127.0.0.1:4010 [--http2]
 *
 * Prints "listening <url>" once ready; stops on SIGTERM / SIGINT.
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import { connect, constants, type ClientHttp2Session } from "node:http2";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" }, upstream: { type: "string" }, http2: { type: "boolean", default: false } } });
if (!values.upstream) {
  console.error("--upstream http://host:port is required");
  process.exit(2);
}
const upstream = new URL(values.upstream);
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024, keepAliveMsecs: 30_000 });

/** Hop-by-hop headers are the proxy's own business, never forwarded. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name) && !name.startsWith(":")) out[name] = value;
  return out;
}

function overHttp1(req: IncomingMessage, res: ServerResponse): void {
  const headers = endToEnd(req.headers);
  headers.host = upstream.host;
  const up = request(
    { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
    (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, endToEnd(upRes.headers));
      upRes.pipe(res);
    },
  );
  up.on("error", () => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end();
  });
  // The client went away before the answer was complete: stop the upstream too.
  res.on("close", () => {
    if (!res.writableFinished) up.destroy();
  });
  req.pipe(up);
}

/** Upstream sessions and the streams each carries now; a new one only when none has room. */
const sessions: { session: ClientHttp2Session; streams: number }[] = [];

function session(): { session: ClientHttp2Session; streams: number } {
  let entry = sessions.find((s) => s.streams < 100 && !s.session.closed && !s.session.destroyed);
  if (!entry) {
    const created = { session: connect(upstream.origin), streams: 0 };
    created.session.on("error", () => {});
    created.session.once("close", () => sessions.splice(sessions.indexOf(created), 1));
    sessions.push(created);
    entry = created;
  }
  return entry;
}

function overHttp2(req: IncomingMessage, res: ServerResponse): void {
  const entry = session();
  entry.streams++;
  const headers = endToEnd(req.headers);
  delete headers.host;
  const up = entry.session.request({ ...headers, ":method": req.method ?? "GET", ":path": req.url ?? "/" });
  up.once("close", () => entry.streams--);
  up.once("response", (upHeaders) => {
    res.writeHead(Number(upHeaders[":status"] ?? 502), endToEnd(upHeaders));
    up.pipe(res);
  });
  up.on("error", () => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end();
  });
  res.on("close", () => {
    if (!res.writableFinished) up.close(constants.NGHTTP2_CANCEL);
  });
  req.pipe(up);
}

const server = createServer(values.http2 ? overHttp2 : overHttp1);
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(Number(values.port), "127.0.0.1", 4096, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : Number(values.port);
  console.log(`listening http://127.0.0.1:${port}`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  agent.destroy();
  for (const { session } of sessions) session.destroy();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
