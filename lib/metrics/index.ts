export { createGatewayMetrics, gatewayMetrics, observeGatewayCall, type GatewayMetrics, type ObservedCall } from "./gateway-metrics";
export { metricsResponse } from "./metrics-response";
