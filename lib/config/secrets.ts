import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./index";

export interface Secrets {
  /** Signs Auth.js sessions and tokens. */
  authSecret: string;
  /** The root from which the key pepper and encryption keys are derived. */
  gatehouseSecret: string;
  /** Verifies the marketplace webhook signature. */
  webhookSecret: string;
  /** Names of the variables that were not set and came from (or went to) the data directory. */
  fromDataDir: string[];
  /** Names of the variables generated just now. */
  generated: string[];
}

const FILE = "secrets.json";
const NAMES = { authSecret: "AUTH_SECRET", gatehouseSecret: "GATEHOUSE_SECRET", webhookSecret: "MARKETPLACE_WEBHOOK_SECRET" } as const;
type Field = keyof typeof NAMES;

/**
 * Returns the three secrets: from the environment when set, otherwise from
 * `<data dir>/secrets.json`, generating (once) what is missing there. The file is owner-only.
 * With REDIS_URL set several instances share state, so they must share secrets from the
 * environment: generating a per-machine secret there would split sessions and keys.
 */
export function ensureSecrets(config: Pick<Config, "dataDir" | "redisUrl" | "env">): Secrets {
  const missing = (Object.keys(NAMES) as Field[]).filter((f) => !config.env[f]);
  if (missing.length > 0 && config.redisUrl) {
    throw new Error(
      `Invalid configuration: ${missing.map((f) => NAMES[f]).join(", ")} must be set when REDIS_URL is set (every instance needs the same secrets).`,
    );
  }
  const path = join(config.dataDir, FILE);
  let stored: Partial<Record<Field, string>> = {};
  if (missing.length > 0) {
    try {
      stored = JSON.parse(readFileSync(path, "utf8")) as Partial<Record<Field, string>>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new Error(`Cannot read ${path}: ${(err as Error).message}. Fix or remove the file, or set the secrets in the environment.`);
      }
    }
  }
  const generated: Field[] = [];
  for (const field of missing) {
    if (typeof stored[field] !== "string" || stored[field].length < 32) {
      stored[field] = randomBytes(32).toString("base64url");
      generated.push(field);
    }
  }
  if (generated.length > 0) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  }
  const value = (f: Field) => config.env[f] ?? stored[f] ?? "";
  return {
    authSecret: value("authSecret"),
    gatehouseSecret: value("gatehouseSecret"),
    webhookSecret: value("webhookSecret"),
    fromDataDir: missing.map((f) => NAMES[f]),
    generated: generated.map((f) => NAMES[f]),
  };
}
