export {
  addLedgerEntry,
  changeOrderBalance,
  ledgerBalance,
  writeRequestDebits,
  type LedgerEntryInput,
  type LedgerKind,
  type LedgerWriter,
  type RequestDebit,
  type TransactionClient,
} from "./ledger";
