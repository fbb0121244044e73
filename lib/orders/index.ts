export { createOrder, createOrderInputSchema, OrderInputError, type CreateOrderInput } from "./create-order";
export { listCustomerOrders, type OrderSummary } from "./list-customer-orders";
export { listRecentOrders, type ConsoleOrderSummary } from "./list-recent-orders";
export { ORDER_SORT_KEYS, ORDER_STATUSES, orderListQuerySchema, type OrderListQuery, type OrderSortKey } from "./order-list-query";
export { orderStatus, type OrderStatus } from "@/lib/time/order-status";
export { getOrderView, type OrderView } from "./get-order-view";
export { listCustomerPlans, type CustomerPlanModels } from "./list-customer-plans";
export {
  adjustOrderCredit,
  afterOrderEnded,
  cancelOrder,
  cancelOrderSchema,
  changeOrderWindow,
  changeReasonSchema,
  creditAdjustmentSchema,
  endOrderInTransaction,
  OrderChangeError,
  orderWindowChangeSchema,
  renewOrder,
} from "./change-order";
export { getConsoleOrder, type ConsoleLedgerEntry, type ConsoleOrderDetail, type ConsoleOrderKey, type ConsoleOrderTicket } from "./get-console-order";
