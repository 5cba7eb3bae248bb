// One clock for a screen's countdowns, ticking every 30 seconds.

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

export const TICK_MS = 30_000;

const NowContext = createContext<number | null>(null);

export function ClockProvider({ children, intervalMs = TICK_MS }: { children: ReactNode; intervalMs?: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return <NowContext value={now}>{children}</NowContext>;
}

/** Milliseconds since the epoch, as of the last tick (the time of the call outside a clock). */
export function useNow(): number {
  return useContext(NowContext) ?? Date.now();
}
