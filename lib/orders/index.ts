export { createOrder, createOrderInputSchema, OrderInputError, type CreateOrderInput } from "./create-order";
export { orderStatus, type OrderStatus } from "./order-status";
