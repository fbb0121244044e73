import "server-only";
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { logger as appLogger } from "@/lib/server/logger";
import { ensureRedisReady, getRedis, getRedisSubscriber, type RedisLogger } from "@/lib/redis";
import { errorSummary } from "@/lib/server/throttled-log";
import { processSingleton } from "@/lib/server/process-singleton";

/**
 * Cross-instance cache invalidation over Redis pub/sub. The instance that changes a key, order,
 * plan or the catalog invalidates its own caches directly and publishes the change; every other
 * instance's listener receives it (typically within milliseconds, well inside the one-second
 * promise) and calls the matching handler. Without `REDIS_URL` there is one instance and both
 * calls are no-ops.
 *
 * Delivery is at most once: pub/sub keeps nothing for a subscriber that is disconnected. So when
 * the subscriber connection comes back after a drop, the listener calls `resync`, which should
 * clear the caches wholesale (the key cache and the catalog), since any change in the gap was
 * missed. A publish that fails (Redis down at the publisher) is logged; the caches' own TTLs
 * (the key cache: 30 s) bound how long another instance can serve the old data.
 *
 * The `id` is whatever the local invalidate function takes: the key's HMAC for `key`
 * (invalidateKey), the order id for `order` (invalidateOrderKeys), the plan id for `plan`, `*`
 * for `catalog`.
 */

export type InvalidationKind = "key" | "order" | "plan" | "catalog";

export interface Invalidation {
  kind: InvalidationKind;
  id: string;
}

export interface InvalidationHandlers {
  key?(id: string): void | Promise<void>;
  order?(id: string): void | Promise<void>;
  plan?(id: string): void | Promise<void>;
  catalog?(id: string): void | Promise<void>;
  /** The subscription was lost and is back: messages may have been missed; drop the caches. */
  resync?(): void | Promise<void>;
}

export const DEFAULT_INVALIDATION_CHANNEL = "gatehouse:invalidate";
const KINDS: ReadonlySet<string> = new Set<InvalidationKind>(["key", "order", "plan", "catalog"]);

interface Message extends Invalidation {
  /** The publishing instance, which has already applied the change. */
  from: string;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseMessage(raw: string): Message | null {
  try {
    const value: unknown = JSON.parse(raw);
    if (!value || typeof value !== "object") return null;
    const { kind, id, from } = value as Record<string, unknown>;
    if (typeof kind !== "string" || !KINDS.has(kind) || typeof id !== "string" || typeof from !== "string") return null;
    return { kind: kind as InvalidationKind, id, from };
  } catch {
    return null;
  }
}

export interface InvalidationBusOptions {
  /** Command connection, used to publish. */
  publisher: Redis;
  /** A connection of its own: a subscribed connection can do nothing else. */
  subscriber: Redis;
  channel?: string;
  /** This instance's id; messages it published are not handed back to it. Random by default. */
  instanceId?: string;
  logger?: RedisLogger;
}

export class InvalidationBus {
  readonly instanceId: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly log: RedisLogger;
  private listener: ((channel: string, message: string) => void) | undefined;
  private onReady: (() => void) | undefined;

  constructor(options: InvalidationBusOptions) {
    this.publisher = options.publisher;
    this.subscriber = options.subscriber;
    this.channel = options.channel ?? DEFAULT_INVALIDATION_CHANNEL;
    this.instanceId = options.instanceId ?? randomBytes(8).toString("hex");
    this.log = options.logger ?? appLogger;
  }

  /** Tells the other instances; false (and a logged warning) when Redis could not take it. */
  async publish(change: Invalidation): Promise<boolean> {
    const message: Message = { kind: change.kind, id: change.id, from: this.instanceId };
    try {
      await ensureRedisReady(this.publisher);
      await this.publisher.publish(this.channel, JSON.stringify(message));
      return true;
    } catch (err) {
      this.log.warn({ kind: change.kind, err: errorSummary(err) }, "could not publish a cache invalidation; other instances rely on their cache TTLs");
      return false;
    }
  }

  /**
   * Subscribes and calls the handlers for changes made by other instances. Resolves once
   * subscribed, or after `startTimeoutMs` when Redis is not reachable (it subscribes when it is).
   */
  async start(handlers: InvalidationHandlers, startTimeoutMs = 2000): Promise<void> {
    if (this.listener) throw new Error("the invalidation listener is already running");
    this.listener = (channel, raw) => {
      if (channel !== this.channel) return;
      const message = parseMessage(raw);
      if (!message) {
        this.log.warn({ channel }, "ignored a malformed invalidation message");
        return;
      }
      if (message.from === this.instanceId) return;
      const handler = handlers[message.kind];
      if (!handler) return;
      void Promise.resolve()
        .then(() => handler(message.id))
        .catch((err: unknown) => this.log.error({ kind: message.kind, err: errorSummary(err) }, "an invalidation handler failed"));
    };
    let subscribed = false;
    const resync = (why: string) => {
      this.log.info({ channel: this.channel, why }, "invalidation subscription (re)established; resynchronising caches");
      if (!handlers.resync) return;
      void Promise.resolve()
        .then(() => handlers.resync?.())
        .catch((err: unknown) => this.log.error({ err: errorSummary(err) }, "the invalidation resync handler failed"));
    };
    this.onReady = () => {
      if (!subscribed) return;
      // ioredis subscribes again by itself after a reconnect; subscribing here too (idempotent) lets
      // the resync run only once the subscription is in place, so nothing falls between the two.
      this.subscriber.subscribe(this.channel).then(
        () => resync("reconnected"),
        (err: unknown) => this.log.warn({ err: errorSummary(err) }, "could not subscribe again after a reconnect"),
      );
    };
    this.subscriber.on("message", this.listener);
    this.subscriber.on("ready", this.onReady);
    // The subscriber queues SUBSCRIBE while disconnected: never hold up start-up for it.
    let late = false;
    const subscribing = this.subscriber.subscribe(this.channel).then(() => {
      subscribed = true;
      if (late) resync("subscribed late");
    });
    const timedOut = await Promise.race([subscribing.then(() => false), delay(startTimeoutMs).then(() => true)]);
    if (timedOut) {
      late = true;
      this.log.warn({ channel: this.channel }, "Redis is not reachable yet; cache invalidations from other instances start once it is");
      subscribing.catch((err: unknown) => this.log.error({ err: errorSummary(err) }, "could not subscribe to cache invalidations"));
    }
  }

  /** Unsubscribes; the connections stay open (they belong to the caller). */
  async stop(): Promise<void> {
    if (this.listener) this.subscriber.off("message", this.listener);
    if (this.onReady) this.subscriber.off("ready", this.onReady);
    this.listener = undefined;
    this.onReady = undefined;
    if (this.subscriber.status === "ready") await this.subscriber.unsubscribe(this.channel).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// The process's bus

const BUS = processSingleton<{ current?: InvalidationBus }>("cacheBus.invalidationBus", () => ({}));

function processBus(): InvalidationBus | null {
  if (BUS.current) return BUS.current;
  const publisher = getRedis();
  const subscriber = getRedisSubscriber();
  if (!publisher || !subscriber) return null;
  BUS.current = new InvalidationBus({ publisher, subscriber });
  return BUS.current;
}

/**
 * Tells the other instances that something changed (after invalidating locally). Resolves to
 * false when it could not (logged), true when published, and true with no Redis configured.
 */
export async function publishInvalidation(change: Invalidation): Promise<boolean> {
  const bus = processBus();
  if (!bus) return true;
  const sending = bus.publish(change);
  const pending = pendingPublishes();
  pending.add(sending);
  try {
    return await sending;
  } finally {
    pending.delete(sending);
  }
}

const PENDING = processSingleton<{ current?: Set<Promise<boolean>> }>("cacheBus.pendingPublishes", () => ({}));

function pendingPublishes(): Set<Promise<boolean>> {
  PENDING.current ??= new Set();
  return PENDING.current;
}

/**
 * Waits for invalidations still being published. A short-lived process (the CLI) calls it before
 * exiting, so a change it made reaches the running instances and is not lost with the process.
 */
export async function flushInvalidations(): Promise<void> {
  await Promise.allSettled([...pendingPublishes()]);
}

/**
 * Starts the process's listener (once, at server start). Returns a stop function. A no-op without
 * `REDIS_URL`.
 */
export async function startInvalidationListener(handlers: InvalidationHandlers): Promise<() => Promise<void>> {
  const bus = processBus();
  if (!bus) return async () => {};
  await bus.start(handlers);
  return () => bus.stop();
}
