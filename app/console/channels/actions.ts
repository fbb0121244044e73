"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { staffAction, type ActionState } from "@/lib/actions";
import { formCheckbox, formInt, formList, formText } from "@/lib/actions/form-fields";
import {
  ChannelExistsError,
  ChannelNotFoundError,
  createChannel,
  setChannelEnabled,
  testChannel,
  UnpricedModelsError,
  updateChannel,
  type ChannelChange,
  type ChannelTestResult,
} from "@/lib/channels";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";

export type ChannelFormState = ActionState<{ status: "success"; message: string }>;
export type ChannelTestState = ActionState<{ status: "tested"; message: string; result: Omit<ChannelTestResult, "channelName"> }>;

const MAP_LINE = /^\s*([^=\s][^=]*?)\s*=\s*([^=\s][^=]*?)\s*$/;

// The upstream key is optional on edit (blank keeps the stored one) and never sent back.
const channelFields = {
  provider: z.enum(["OPENAI", "ANTHROPIC", "GEMINI"], { error: "Choose the protocol the upstream speaks: OpenAI, Anthropic or Gemini." }),
  baseUrl: z.preprocess(
    (v) => (typeof v === "string" ? v.trim() : v),
    z
      .url({ protocol: /^https?$/, error: "Enter the upstream's base URL, starting with http:// or https://." })
      .max(500, { error: "Use at most 500 characters." }),
  ),
  models: formList("Model ids are at most 200 characters.").pipe(z.array(z.string()).min(1, { error: "Enter at least one model this channel serves." })),
  modelMap: z.preprocess(
    (v) => (v === undefined ? "" : v),
    z.string().transform((text, ctx) => {
      const map: Record<string, string> = {};
      for (const line of text.split(/\r?\n/)) {
        if (line.trim() === "") continue;
        const match = MAP_LINE.exec(line);
        if (!match || match[1]!.length > 200 || match[2]!.length > 200) {
          ctx.addIssue({ code: "custom", message: `Write each mapping as ours=theirs, one per line (not "${line.trim().slice(0, 60)}").` });
          return z.NEVER;
        }
        map[match[1]!] = match[2]!;
      }
      return map;
    }),
  ),
  priority: formInt("Enter the priority as a whole number", -1000, 1000),
  weight: formInt("Enter the weight as a whole number", 1, 1000),
  enabled: formCheckbox,
};

type ChannelFields = z.output<z.ZodObject<typeof channelFields>>;

function change(input: ChannelFields, apiKey: string | undefined): ChannelChange {
  return { ...input, baseUrl: input.baseUrl.replace(/\/+$/, ""), apiKey };
}

function describeChannelError(error: unknown): string | undefined {
  if (error instanceof UnpricedModelsError) return error.message;
  if (error instanceof ChannelExistsError) return `A channel named "${error.channelName}" already exists. Open it from the list to edit it.`;
  if (error instanceof ChannelNotFoundError) return "This channel no longer exists.";
  return undefined;
}

const INVALID = "Some fields need a change before the channel can be saved.";
const apiKeyField = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().max(4096).optional());

/** Console > Channels > Add a channel. Admins only; audited (never with the key); serves traffic at once when enabled. */
export const createChannelAction = staffAction(
  "ADMIN",
  z.object({
    name: formText("Enter a name for the channel.", 80),
    apiKey: z.preprocess(
      (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
      z.string({ error: "Enter the upstream's API key." }).trim().max(4096, { error: "That key is too long." }),
    ),
    ...channelFields,
  }),
  async ({ user, clientIp, input }): Promise<ChannelFormState> => {
    const channel = await createChannel(getDb(), {
      name: input.name,
      change: change(input, input.apiKey),
      keys: getSecretKeys(),
      actor: { userId: user.id, ip: clientIp },
    });
    revalidatePath("/console/channels");
    redirect(`/console/channels/${channel.id}?saved=created`);
  },
  { invalidMessage: INVALID, describeError: describeChannelError },
);

/** Console > Channels > a channel: save changes (a blank key keeps the stored one). Admins only; audited. */
export const updateChannelAction = staffAction(
  "ADMIN",
  z.object({ id: z.string().min(1).max(100), apiKey: apiKeyField, ...channelFields }),
  async ({ user, clientIp, input }): Promise<ChannelFormState> => {
    const channel = await updateChannel(getDb(), {
      id: input.id,
      change: change(input, input.apiKey),
      keys: getSecretKeys(),
      actor: { userId: user.id, ip: clientIp },
    });
    revalidatePath("/console/channels");
    revalidatePath(`/console/channels/${channel.id}`);
    return { status: "success", message: `Saved "${channel.name}"${input.apiKey ? " with its new key" : ""}. The gateway uses it from the next request.` };
  },
  { invalidMessage: INVALID, describeError: describeChannelError },
);

/** Console > Channels: enable or disable a channel. Admins only; audited. */
export const setChannelEnabledAction = staffAction(
  "ADMIN",
  z.object({ id: z.string().min(1).max(100), enabled: z.enum(["true", "false"]).transform((v) => v === "true") }),
  async ({ user, clientIp, input }): Promise<ChannelFormState> => {
    const result = await setChannelEnabled(getDb(), { id: input.id, enabled: input.enabled, actor: { userId: user.id, ip: clientIp } });
    revalidatePath("/console/channels");
    revalidatePath(`/console/channels/${input.id}`);
    const state = input.enabled ? "enabled" : "disabled";
    return { status: "success", message: result.changed ? `"${result.name}" is ${state}.` : `"${result.name}" already was ${state}.` };
  },
  { describeError: describeChannelError },
);

/** Console > Channels > a channel: Test. Sends a one-token request; admins only; audited with the outcome. */
export const testChannelAction = staffAction(
  "ADMIN",
  z.object({ id: z.string().min(1).max(100), model: z.string().trim().max(200).optional() }),
  async ({ user, clientIp, input }): Promise<ChannelTestState> => {
    const { channelName, ...result } = await testChannel(getDb(), {
      id: input.id,
      model: input.model || undefined,
      keys: getSecretKeys(),
      actor: { userId: user.id, ip: clientIp },
    });
    const message = result.ok
      ? `OK: ${channelName} answered ${result.status} in ${result.latencyMs} ms for ${result.model}.`
      : `Failed: ${channelName} ${result.status === null ? "gave no answer" : `answered ${result.status}`} after ${result.latencyMs} ms for ${result.model}. ${result.error ?? ""}`.trim();
    return { status: "tested", message, result };
  },
  { describeError: describeChannelError },
);
