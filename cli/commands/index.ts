import type { Command } from "../command";
import { channelAddCommand, channelListCommand } from "./channel";
import { migrateCommand } from "./migrate";
import { orderCreateCommand } from "./order";
import { pendingCommands } from "./pending";
import { planAddCommand, planListCommand } from "./plan";
import { seedCommand } from "./seed";
import { userRoleCommand } from "./user";

export const commands: Command[] = [
  migrateCommand,
  seedCommand,
  planAddCommand,
  planListCommand,
  channelAddCommand,
  channelListCommand,
  orderCreateCommand,
  userRoleCommand,
  ...pendingCommands,
];
