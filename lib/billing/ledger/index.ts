export {
  addLedgerEntry,
  changeOrderBalance,
  ledgerBalance,
  writeRequestDebits,
  type LedgerEntryInput,
  type LedgerKind,
  type LedgerWriter,
  type RequestDebit,
} from "./ledger";
