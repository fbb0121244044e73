// A buyer's money as they read it: balances and the ledger of each order.
export { getCustomerBalances, type LedgerLine, type OrderBalance } from "./balance";
