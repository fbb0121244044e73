import type { Command } from "../command";
import { channelAddCommand, channelListCommand } from "./channel";
import { channelDisableCommand, channelEnableCommand } from "./channel-toggle";
import { keyLimitsCommand } from "./key-limits";
import { migrateCommand } from "./migrate";
import { orderCreateCommand } from "./order";
import { pendingCommands } from "./pending";
import { planAddCommand, planListCommand } from "./plan";
import { requestShowCommand } from "./request";
import { seedCommand } from "./seed";
import { userRoleCommand } from "./user";

export const commands: Command[] = [
  migrateCommand,
  seedCommand,
  planAddCommand,
  planListCommand,
  channelAddCommand,
  channelListCommand,
  channelEnableCommand,
  channelDisableCommand,
  orderCreateCommand,
  userRoleCommand,
  requestShowCommand,
  keyLimitsCommand,
  ...pendingCommands,
];
