// Signed out: the landing page. Signed in: the shell and its screens, with a fresh API
// client and query cache (dropped on sign-out, so nothing of one session survives it).

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useMemo, useState, useSyncExternalStore } from "react";
import { RouterProvider, createBrowserRouter, type createMemoryRouter } from "react-router";
import { ApiError, createApiClient, type ApiClient } from "../api/client";
import { signOut as signOutAt, type SignInError } from "../auth/oidc";
import { bearerToken, endSession, getSessionState, subscribe, type Session } from "../auth/session";
import type { Config } from "../config";
import { ConsoleContext, type ConsoleContextValue } from "./context";
import { Landing, SignInErrorPage } from "./pages";
import { BASENAME, routes } from "./routes";

type Router = ReturnType<typeof createBrowserRouter> | ReturnType<typeof createMemoryRouter>;

/** Retries only what may pass: no answer, throttling, the server's own failures. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 2) return false;
  if (!(error instanceof ApiError)) return false;
  return error.status === 0 || error.status === 429 || error.status >= 500;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 5_000, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  });
}

export interface SignedInProps {
  config: Config;
  session: Session;
  api?: ApiClient;
  queryClient?: QueryClient;
  createRouter?: () => Router;
  go?: (url: string) => void;
}

/** The signed-in console (tests give it their own API client, router and navigation). */
export function SignedIn({ config, session, api, queryClient, createRouter, go }: SignedInProps) {
  const client = useMemo(
    () =>
      api ??
      createApiClient({
        baseUrl: config.apiBaseUrl,
        token: () => bearerToken(),
        onUnauthorized: () => endSession("unauthorized"),
      }),
    [api, config.apiBaseUrl],
  );
  const [queries] = useState(() => queryClient ?? createQueryClient());
  const [router] = useState(() => (createRouter ?? (() => createBrowserRouter(routes, { basename: BASENAME })))());
  const value = useMemo<ConsoleContextValue>(
    () => ({ config, session, api: client, signOut: () => signOutAt(config, go) }),
    [config, session, client, go],
  );
  return (
    <ConsoleContext value={value}>
      <QueryClientProvider client={queries}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </ConsoleContext>
  );
}

export function App({ config, signInError }: { config: Config; signInError: SignInError | null }) {
  const { session, ended } = useSyncExternalStore(subscribe, getSessionState);
  if (session === null) {
    if (signInError !== null && ended === null) return <SignInErrorPage config={config} error={signInError} />;
    return <Landing config={config} ended={ended} />;
  }
  return <SignedIn key={session.idToken} config={config} session={session} />;
}
