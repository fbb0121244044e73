"use client";

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

// Shared by the order page's live parts: once the countdown reaches zero, the credential card
// hides any revealed key at once, without waiting for the server's refreshed page.

interface OrderLive {
  expired: boolean;
  markExpired(): void;
}

const OrderLiveContext = createContext<OrderLive>({ expired: false, markExpired: () => {} });

export function OrderLiveProvider({ initiallyExpired, children }: { initiallyExpired: boolean; children: ReactNode }) {
  const [expiredNow, setExpiredNow] = useState(false);
  const markExpired = useCallback(() => setExpiredNow(true), []);
  const value = useMemo(() => ({ expired: initiallyExpired || expiredNow, markExpired }), [initiallyExpired, expiredNow, markExpired]);
  return <OrderLiveContext.Provider value={value}>{children}</OrderLiveContext.Provider>;
}

export function useOrderLive(): OrderLive {
  return useContext(OrderLiveContext);
}
