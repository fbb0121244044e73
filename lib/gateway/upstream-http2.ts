import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http2";
import type { ConnectionOptions } from "node:tls";
import { errors as undiciErrors, type Dispatcher } from "undici";

// Upstream calls over HTTP/2 (UPSTREAM_HTTP2=on) on node:http2 itself. undici's HTTP/2 client
// fails every stream in flight when the upstream sends GOAWAY (a deploy, a limit of requests per
// connection) and reads a stream the upstream reset partway as ended; node:http2 lets the streams
// a GOAWAY covers finish, and says how each stream closed.

/** Streams one connection carries at once, or fewer when the upstream announces fewer. */
const HTTP2_STREAMS_PER_CONNECTION = 100;
/**
 * What a stream may hold unread before the upstream is told to wait (flow control per stream): a
 * slow reader costs at most this much memory here.
 */
const STREAM_WINDOW = 64 * 1024;
/** The same for a whole connection, so that a hundred streams flowing at once are never held back by it. */
const CONNECTION_WINDOW = HTTP2_STREAMS_PER_CONNECTION * STREAM_WINDOW;
const CONNECT_TIMEOUT_MS = 10_000;
/** A connection with no stream for this long is closed. */
const IDLE_MS = 30_000;
/** What `request()` throws with when its session has gone away since it was chosen. */
const SESSION_GONE = new Set(["ERR_HTTP2_INVALID_SESSION", "ERR_HTTP2_GOAWAY_SESSION", "ERR_HTTP2_OUT_OF_STREAMS"]);
/** Headers a connection's framing carries itself, which HTTP/2 forbids in a request. */
const CONNECTION_HEADERS = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host", "te", "http2-settings"]);

interface Connection {
  session: ClientHttp2Session;
  /** Streams open now, counted from the request until the stream's close. */
  streams: number;
  /** The most streams at once: ours, or the upstream's lower limit once its settings arrive. */
  limit: number;
  /** No new stream (GOAWAY received, closed, idle): what runs on it finishes. */
  retired: boolean;
  /** Why the connection failed before it was up, for the calls it was opened for. */
  failure: Error | null;
  connected: boolean;
  /** Its session's close was emitted (after its error). */
  closed: boolean;
  /** Calls whose stream closed before the connection was up, told once the session says why. */
  waiting: (() => void)[];
}

/**
 * The agent of every upstream call with UPSTREAM_HTTP2=on: a call goes to the first connection to
 * its origin that has room (fewer streams than its limit), and a connection is opened only when
 * none has, so 10,000 held streams cost about a hundred upstream sockets instead of 10,000. Over
 * TLS HTTP/2 is negotiated by ALPN; an upstream that does not agree fails at connect
 * (`UPSTREAM_NO_HTTP2`). Over plain http it is spoken by prior knowledge (h2c).
 *
 * It takes undici's dispatch arguments and handler, so that the call and its body
 * (upstream-client.ts) are the same whichever way they travel.
 */
export class Http2Agent {
  private readonly origins = new Map<string, Connection[]>();
  /** Each origin's limit of streams a connection, from its last settings: a new connection starts with it. */
  private readonly limits = new Map<string, number>();
  /** Every session not yet closed, retired ones included: close() and destroy() end them all. */
  private readonly live = new Set<ClientHttp2Session>();

  constructor(private readonly tls?: ConnectionOptions) {}

  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    new Http2Call(this, options, handler).start();
    return true;
  }

  /** A connection to `origin` with room for one more stream, opened if none has. */
  connectionFor(origin: string): Connection {
    let connections = this.origins.get(origin);
    if (!connections) this.origins.set(origin, (connections = []));
    const open = connections.find((c) => c.streams < c.limit);
    if (open) return open;
    const connection = this.open(origin);
    connections.push(connection);
    return connection;
  }

  /** No new stream on `connection`; those on it finish. */
  retire(connection: Connection, origin: string): void {
    if (connection.retired) return;
    connection.retired = true;
    const connections = this.origins.get(origin);
    const at = connections?.indexOf(connection) ?? -1;
    if (at >= 0) connections!.splice(at, 1);
    if (connections?.length === 0) this.origins.delete(origin);
  }

  private open(origin: string): Connection {
    const session = connect(origin, {
      ...this.tls,
      peerMaxConcurrentStreams: HTTP2_STREAMS_PER_CONNECTION,
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
    });
    const connection: Connection = {
      session,
      streams: 0,
      limit: this.limits.get(origin) ?? HTTP2_STREAMS_PER_CONNECTION,
      retired: false,
      failure: null,
      connected: false,
      closed: false,
      waiting: [],
    };
    this.live.add(session);
    const connectTimer = setTimeout(() => {
      connection.failure = new undiciErrors.ConnectTimeoutError();
      session.destroy();
    }, CONNECT_TIMEOUT_MS);
    session.once("connect", () => {
      connection.connected = true;
      clearTimeout(connectTimer);
      // Node says "connect" of a session destroyed meanwhile too.
      if (!session.destroyed) session.setLocalWindowSize(CONNECTION_WINDOW);
    });
    session.on("remoteSettings", (settings) => {
      connection.limit = Math.max(1, Math.min(HTTP2_STREAMS_PER_CONNECTION, settings.maxConcurrentStreams ?? HTTP2_STREAMS_PER_CONNECTION));
      this.limits.set(origin, connection.limit);
    });
    // A GOAWAY with NO_ERROR: node:http2 closes the session once the streams it covers are done.
    session.once("goaway", () => this.retire(connection, origin));
    session.once("close", () => {
      connection.closed = true;
      clearTimeout(connectTimer);
      this.live.delete(session);
      this.retire(connection, origin);
      for (const told of connection.waiting.splice(0)) told();
    });
    // Each stream is told of its session's failure by its own close; a failure to connect is
    // kept for them, an upstream that refused HTTP/2 named as such.
    session.on("error", (err: Error & { code?: string }) => {
      if (connection.connected) return;
      connection.failure ??= /NO_APPLICATION_PROTOCOL|ERR_HTTP2_ERROR/.test(err.code ?? "") ? noHttp2(origin) : err;
    });
    // Every 30 s without a frame; a connection whose streams are quiet (a model thinking) stays.
    session.setTimeout(IDLE_MS);
    session.on("timeout", () => {
      if (connection.streams > 0) return;
      this.retire(connection, origin);
      session.close();
    });
    return connection;
  }

  /** Lets every stream finish, then closes every connection. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.live].map((session) => {
        const closed = new Promise<void>((resolve) => session.once("close", () => resolve()));
        if (!session.closed) session.close();
        return closed;
      }),
    );
  }

  async destroy(): Promise<void> {
    for (const session of this.live) session.destroy();
  }
}

/** One call: its stream, and undici's controller for its handler (pause, resume, abort). */
class Http2Call implements Dispatcher.DispatchController {
  private connection: Connection | null = null;
  private stream: ClientHttp2Stream | null = null;
  private headersTimer: NodeJS.Timeout | undefined;
  private done = false;
  private answered = false;
  private ended = false;
  private received = 0;
  private expected: number | undefined;
  private failure: Error | null = null;
  private resent = false;
  aborted = false;
  paused = false;
  reason: Error | null = null;

  constructor(
    private readonly agent: Http2Agent,
    private readonly options: Dispatcher.DispatchOptions,
    private readonly handler: Dispatcher.DispatchHandler,
  ) {}

  start(): void {
    this.handler.onRequestStart?.(this, {});
    if (!this.done) this.send();
  }

  /** Opens the call's stream on a connection with room, and sends the request. */
  private send(): void {
    const origin = String(this.options.origin);
    // A session that went away since it was chosen (GOAWAY, closed) refuses a request at once: the
    // call has not left, so it is tried once on another connection. Any other refusal is the call's.
    for (let attempt = 0; ; attempt++) {
      const connection = this.agent.connectionFor(origin);
      try {
        this.stream = connection.session.request(this.requestHeaders(), { endStream: false });
      } catch (err) {
        if (!SESSION_GONE.has((err as { code?: string }).code ?? "")) return this.fail(err as Error);
        this.agent.retire(connection, origin);
        if (attempt === 0) continue;
        return this.fail(err as Error);
      }
      this.connection = connection;
      connection.streams++;
      break;
    }
    const stream = this.stream!;
    const headersTimeout = this.options.headersTimeout ?? 300_000;
    if (headersTimeout > 0) this.headersTimer = setTimeout(() => this.abort(new undiciErrors.HeadersTimeoutError()), headersTimeout);
    stream.once("response", (headers) => this.onResponse(headers));
    stream.on("data", (chunk: Buffer) => {
      this.received += chunk.length;
      if (!this.done) this.tell(() => this.handler.onResponseData?.(this, chunk));
    });
    stream.once("end", () => (this.ended = true));
    stream.on("error", (err: Error) => (this.failure ??= err));
    stream.once("close", () => this.onClose(stream));
    stream.end(this.options.body as string | Uint8Array | undefined);
  }

  /** Runs a call of the handler; one that throws fails the call with its error, as undici does. */
  private tell(handlerCall: () => void): void {
    try {
      handlerCall();
    } catch (err) {
      this.abort(err as Error);
    }
  }

  private requestHeaders(): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = { ":method": this.options.method, ":path": this.options.path };
    for (const [name, value] of Object.entries((this.options.headers ?? {}) as Record<string, string>)) {
      const lower = name.toLowerCase();
      if (!CONNECTION_HEADERS.has(lower) && !lower.startsWith(":")) headers[lower] = value;
    }
    return headers;
  }

  private onResponse(headers: IncomingHttpHeaders): void {
    clearTimeout(this.headersTimer);
    if (this.done) return;
    const status = Number(headers[":status"]);
    const answer: IncomingHttpHeaders = {};
    for (const name of Object.keys(headers)) if (!name.startsWith(":")) answer[name] = headers[name];
    const length = Number(headers["content-length"]);
    if (headers["content-length"] !== undefined && Number.isSafeInteger(length)) this.expected = length;
    this.answered = true;
    const bodyTimeout = this.options.bodyTimeout ?? 300_000;
    if (bodyTimeout > 0) this.stream!.setTimeout(bodyTimeout, () => this.abort(new undiciErrors.BodyTimeoutError()));
    this.tell(() => this.handler.onResponseStart?.(this, status, answer, ""));
  }

  /**
   * The stream closed: a whole answer (its end read, no reset code, as long as its content-length
   * says) ends the call; anything else fails it. node:http2 ends a stream that was reset as if it
   * had finished, and only its close code tells the two apart.
   */
  private onClose(stream: ClientHttp2Stream): void {
    clearTimeout(this.headersTimer);
    const connection = this.connection!;
    connection.streams--;
    if (this.done) return;
    const code = stream.rstCode ?? constants.NGHTTP2_NO_ERROR;
    // Refused (a stream past a GOAWAY's last, or over the upstream's limit): never processed, so
    // sent once more, elsewhere.
    if (code === constants.NGHTTP2_REFUSED_STREAM && !this.answered && !this.resent) {
      this.resent = true;
      this.ended = false;
      this.received = 0;
      this.failure = null;
      return this.send();
    }
    const whole = this.answered && this.ended && code === constants.NGHTTP2_NO_ERROR && (this.expected === undefined || this.received === this.expected);
    if (whole) {
      this.done = true;
      this.tell(() => this.handler.onResponseEnd?.(this, {}));
      return;
    }
    const failed = () => this.fail((this.answered ? null : connection.failure) ?? this.failure ?? broken(code, this.answered));
    // A connection that never came up closes its streams before it says why: wait for its close.
    if (!connection.connected && !connection.closed) connection.waiting.push(failed);
    else failed();
  }

  private fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.headersTimer);
    this.handler.onResponseError?.(this, err);
  }

  abort(reason: Error): void {
    if (this.done) return;
    this.aborted = true;
    this.reason = reason;
    this.fail(reason);
    // Destroyed rather than closed: a stream whose end a paused reader has not read waits for that
    // read before its close event, and so would keep its place on the connection (RST_STREAM
    // CANCEL to the upstream either way).
    if (this.stream && !this.stream.destroyed) this.stream.destroy();
  }

  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
  }
}

/** A stream that closed without a whole answer, as a socket error (classified as a connection failure before the answer). */
function broken(code: number, answered: boolean): Error {
  return Object.assign(
    new Error(answered ? `the upstream's answer was cut off (HTTP/2 stream closed with code ${code})` : `the upstream closed the HTTP/2 stream (code ${code})`),
    {
      code: "UND_ERR_SOCKET",
    },
  );
}

function noHttp2(origin: string): Error {
  return Object.assign(new Error(`${new URL(origin).hostname} does not speak HTTP/2 (UPSTREAM_HTTP2=on)`), { code: "UPSTREAM_NO_HTTP2" });
}
