// The generated client's types the app uses, re-exported so that nothing outside lib/db depends on
// where Prisma generates its client. Types only: importing them pulls no database code into a
// bundle.
export type { ApiKeyStatus, OrderSource, OrderState, Provider, Role, SpendLimitPeriod } from "@/build/generated/prisma/enums";
export type { Prisma as PrismaTypes } from "@/build/generated/prisma/client";
