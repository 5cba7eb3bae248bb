import { createContext, useContext } from "react";
import type { ApiClient } from "../api/client";
import type { Session } from "../auth/session";
import type { Config } from "../config";

export interface ConsoleContextValue {
  config: Config;
  session: Session;
  api: ApiClient;
  signOut: () => void;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

/** The signed-in console: config, session, API client. Only inside a signed-in tree. */
export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (value === null) throw new Error("useConsole outside a signed-in console");
  return value;
}

export function useApi(): ApiClient {
  return useConsole().api;
}
