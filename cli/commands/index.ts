import type { Command } from "../command";
import { channelAddCommand, channelListCommand } from "./channel";
import { channelDisableCommand, channelEnableCommand } from "./channel-toggle";
import { migrateCommand } from "./migrate";
import { orderCreateCommand } from "./order";
import { keyCheckCommand, keyRotateCommand } from "./key";
import { keyLimitsCommand } from "./key-limits";
import { planAddCommand, planListCommand } from "./plan";
import { priceHistoryCommand, priceListCommand, priceSetCommand } from "./price";
import { requestShowCommand } from "./request";
import { seedCommand } from "./seed";
import { userAddCommand, userRoleCommand } from "./user";
import { webhookFailedCommand, webhookReplayCommand } from "./webhook";

export const commands: Command[] = [
  migrateCommand,
  seedCommand,
  planAddCommand,
  planListCommand,
  priceSetCommand,
  priceListCommand,
  priceHistoryCommand,
  channelAddCommand,
  channelListCommand,
  channelEnableCommand,
  channelDisableCommand,
  orderCreateCommand,
  userAddCommand,
  userRoleCommand,
  requestShowCommand,
  keyRotateCommand,
  keyCheckCommand,
  keyLimitsCommand,
  webhookFailedCommand,
  webhookReplayCommand,
];
