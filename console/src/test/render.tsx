// Renders the signed-in console in jsdom with a fake API (no network), a memory router and
// a query cache without retries.

import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { I18nextProvider } from "react-i18next";
import { createMemoryRouter } from "react-router";
import { vi } from "vitest";
import { createApiClient } from "../api/client";
import { SignedIn } from "../app/App";
import { routes } from "../app/routes";
import { bearerToken, endSession, startSession, type Group } from "../auth/session";
import type { Config } from "../config";
import { createI18n, type Language } from "../i18n";
import { fakeIdToken } from "./tokens";

export const testConfig: Config = {
  apiBaseUrl: "",
  authorizeUrl: "/oidc/authorize",
  tokenUrl: "/oidc/token",
  logoutUrl: "/oidc/logout",
  clientId: "liaison-local",
  scope: "openid email profile",
};

export type Respond = (request: Request, body: unknown) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | null;
}

export function renderConsole({
  groups,
  path = "/inbox",
  respond = () => json({ error: { code: "not_found", message: "Not found." } }, 404),
  language = "en",
  email = "camille@brand.example",
}: {
  groups: Group[];
  path?: string;
  respond?: Respond;
  language?: Language;
  email?: string;
}) {
  const session = startSession(fakeIdToken({ groups, email }));
  const requests: Recorded[] = [];
  const api = createApiClient({
    baseUrl: "http://127.0.0.1:3000",
    token: () => bearerToken(),
    onUnauthorized: () => endSession("unauthorized"),
    fetch: async (input: RequestInfo | URL) => {
      const request = input as Request;
      const url = new URL(request.url);
      const text = await request.clone().text();
      const body: unknown = text === "" ? undefined : JSON.parse(text);
      requests.push({
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
        authorization: request.headers.get("authorization"),
      });
      return respond(request, body);
    },
  });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const i18n = createI18n(language);
  const go = vi.fn();
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const view = render(
    <I18nextProvider i18n={i18n}>
      <SignedIn
        config={testConfig}
        session={session}
        api={api}
        queryClient={queryClient}
        createRouter={() => router}
        go={go}
      />
    </I18nextProvider>,
  );
  return { ...view, requests, queryClient, router, go, i18n };
}
