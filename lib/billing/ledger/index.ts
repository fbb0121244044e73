export {
  addLedgerEntry,
  changeOrderBalance,
  ledgerBalance,
  writeRequestDebit,
  writeUsageDebits,
  type LedgerEntryInput,
  type LedgerKind,
  type LedgerWriter,
  type RequestDebit,
  type TransactionClient,
} from "./ledger";
