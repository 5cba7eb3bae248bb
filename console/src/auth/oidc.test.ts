// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Config } from "../config";
import { fakeIdToken } from "../test/tokens";
import {
  PENDING_SIGN_IN_KEY,
  consolePath,
  handleCallback,
  logoutUrlFor,
  prepareSignIn,
  signOut,
  startSignIn,
  type CallbackEnvironment,
  type PendingSignIn,
} from "./oidc";
import { challengeFor } from "./pkce";
import { bearerToken, getSessionState, resetSessionForTests, startSession } from "./session";

const config: Config = {
  apiBaseUrl: "",
  authorizeUrl: "/oidc/authorize",
  tokenUrl: "/oidc/token",
  logoutUrl: "/oidc/logout",
  clientId: "liaison-local",
  scope: "openid email profile",
};

const ORIGIN = "http://127.0.0.1:3000";

function at(path: string) {
  window.history.replaceState(null, "", path);
}

function pending(overrides: Partial<PendingSignIn> = {}): PendingSignIn {
  const value = { verifier: "v".repeat(64), state: "state-1", nonce: "nonce-1", ...overrides };
  window.sessionStorage.setItem(PENDING_SIGN_IN_KEY, JSON.stringify(value));
  return value;
}

function tokenResponse(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function env(fetchFn: typeof fetch): CallbackEnvironment {
  return { location: window.location, history: window.history, storage: window.sessionStorage, fetchFn };
}

beforeEach(() => {
  resetSessionForTests();
  window.sessionStorage.clear();
  window.localStorage.clear();
  at("/console/");
});

afterEach(() => {
  resetSessionForTests();
});

describe("the authorization request", () => {
  it("carries every parameter, with the S256 challenge of the verifier it keeps", async () => {
    const { url, pending } = await prepareSignIn(
      { ...config, authorizeUrl: "https://brand.auth.eu-west-3.amazoncognito.com/oauth2/authorize" },
      ORIGIN,
    );
    const parsed = new URL(url);
    expect(`${parsed.origin}${parsed.pathname}`).toBe("https://brand.auth.eu-west-3.amazoncognito.com/oauth2/authorize");
    expect(Object.fromEntries(parsed.searchParams)).toEqual({
      response_type: "code",
      client_id: "liaison-local",
      redirect_uri: "http://127.0.0.1:3000/console/",
      scope: "openid email profile",
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await challengeFor(pending.verifier),
      code_challenge_method: "S256",
    });
    expect(pending.verifier).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(pending.state).not.toBe(pending.nonce);
  });

  it("resolves a same-origin authorize path against the console's origin", async () => {
    const { url } = await prepareSignIn(config, ORIGIN);
    expect(url.startsWith("http://127.0.0.1:3000/oidc/authorize?")).toBe(true);
  });

  it("keeps only the verifier, state and nonce in sessionStorage, then goes to the provider", async () => {
    const go = vi.fn();
    await startSignIn(config, go);
    const stored = JSON.parse(window.sessionStorage.getItem(PENDING_SIGN_IN_KEY) ?? "null") as PendingSignIn;
    expect(Object.keys(stored).sort()).toEqual(["nonce", "state", "verifier"]);
    expect(window.sessionStorage.length).toBe(1);
    expect(window.localStorage.length).toBe(0);
    const url = new URL(go.mock.calls[0]?.[0] as string);
    expect(url.searchParams.get("state")).toBe(stored.state);
    expect(url.searchParams.get("code_challenge")).toBe(await challengeFor(stored.verifier));
  });
});

describe("the way back after signing in", () => {
  it("keeps where the user was in the console, and only that", async () => {
    at("/console/inbox?tab=cases&source=src_1&assignee=none#top");
    await startSignIn(config, vi.fn());
    const stored = JSON.parse(window.sessionStorage.getItem(PENDING_SIGN_IN_KEY) ?? "null") as PendingSignIn;
    expect(stored.returnTo).toBe("/console/inbox?tab=cases&source=src_1&assignee=none#top");
    window.sessionStorage.clear();
    at("/console/");
    await startSignIn(config, vi.fn());
    const root = JSON.parse(window.sessionStorage.getItem(PENDING_SIGN_IN_KEY) ?? "null") as PendingSignIn;
    expect(root.returnTo).toBeUndefined();
  });

  it("refuses a stored way back that leaves the console", () => {
    expect(consolePath("/console/people/case_1?x=1")).toBe("/console/people/case_1?x=1");
    for (const elsewhere of ["//evil.example/console/", "https://evil.example/console/", "/console/../admin", "/other", 42, null]) {
      expect(consolePath(elsewhere)).toBeUndefined();
    }
  });

  it("lands where the user was once the code is exchanged, never before", async () => {
    const { state, nonce } = pending({ returnTo: "/console/inbox?tab=cases&tag=vip" });
    at(`/console/?code=the-code&state=${state}`);
    const idToken = fakeIdToken({ nonce, groups: ["liaison-support"] });
    const result = await handleCallback(config, env(vi.fn<typeof fetch>(async () => tokenResponse({ id_token: idToken }))));
    expect(result.kind).toBe("signedIn");
    expect(window.location.href).toBe("http://127.0.0.1:3000/console/inbox?tab=cases&tag=vip");

    // A forged state signs nobody in and goes nowhere but the cleaned URL.
    pending({ state: "right", returnTo: "/console/campaigns" });
    at("/console/?code=abc&state=forged");
    await handleCallback(config, env(vi.fn<typeof fetch>()));
    expect(window.location.href).toBe("http://127.0.0.1:3000/console/");
  });
});

describe("the callback", () => {
  it("does nothing without a code or an error", async () => {
    const fetchFn = vi.fn<typeof fetch>();
    expect(await handleCallback(config, env(fetchFn))).toEqual({ kind: "none" });
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it("makes no token request when the state is not the one this browser stored", async () => {
    pending({ state: "the-right-state" });
    at("/console/?code=abc&state=a-forged-state");
    const fetchFn = vi.fn<typeof fetch>();
    const result = await handleCallback(config, env(fetchFn));
    expect(result).toEqual({ kind: "error", error: { code: "stateMismatch" } });
    expect(fetchFn).not.toHaveBeenCalled();
    expect(window.sessionStorage.getItem(PENDING_SIGN_IN_KEY)).toBeNull();
    expect(window.location.search).toBe("");
    expect(bearerToken()).toBeNull();
  });

  it("makes no token request when no sign-in was started here", async () => {
    at("/console/?code=abc&state=whatever");
    const fetchFn = vi.fn<typeof fetch>();
    expect(await handleCallback(config, env(fetchFn))).toEqual({ kind: "error", error: { code: "stateMismatch" } });
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it("exchanges the code with the verifier, keeps the ID token in memory and cleans the URL", async () => {
    const { verifier, state, nonce } = pending();
    at(`/console/?code=the-code&state=${state}`);
    const idToken = fakeIdToken({ nonce, groups: ["liaison-marketer"] });
    const fetchFn = vi.fn<typeof fetch>(async () =>
      tokenResponse({ id_token: idToken, access_token: "an-access-token", token_type: "Bearer", expires_in: 3600 }),
    );
    const result = await handleCallback(config, env(fetchFn));

    expect(result.kind).toBe("signedIn");
    expect(fetchFn).toHaveBeenCalledTimes(1);
    const [url, init] = fetchFn.mock.calls[0] ?? [];
    expect(url).toBe("http://127.0.0.1:3000/oidc/token");
    expect(init?.method).toBe("POST");
    expect(new Headers(init?.headers).get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(String(init?.body)))).toEqual({
      grant_type: "authorization_code",
      code: "the-code",
      redirect_uri: "http://127.0.0.1:3000/console/",
      client_id: "liaison-local",
      code_verifier: verifier,
    });
    expect(bearerToken()).toBe(idToken);
    expect(getSessionState().session?.groups).toEqual(["liaison-marketer"]);
    expect(window.location.href).toBe("http://127.0.0.1:3000/console/");
    expect(window.sessionStorage.getItem(PENDING_SIGN_IN_KEY)).toBeNull();
  });

  it("discards an ID token whose nonce is not the stored one", async () => {
    const { state } = pending({ nonce: "expected" });
    at(`/console/?code=c&state=${state}`);
    const fetchFn = vi.fn<typeof fetch>(async () => tokenResponse({ id_token: fakeIdToken({ nonce: "replayed" }) }));
    expect(await handleCallback(config, env(fetchFn))).toEqual({ kind: "error", error: { code: "nonceMismatch" } });
    expect(bearerToken()).toBeNull();
  });

  it("shows the token endpoint's OAuth error", async () => {
    const { state } = pending();
    at(`/console/?code=c&state=${state}`);
    const fetchFn = vi.fn<typeof fetch>(async () =>
      tokenResponse({ error: "invalid_grant", error_description: "the code was used already" }, 400),
    );
    expect(await handleCallback(config, env(fetchFn))).toEqual({
      kind: "error",
      error: { code: "tokenRefused", detail: "the code was used already" },
    });
    expect(bearerToken()).toBeNull();
  });

  it("shows the provider's error sent back instead of a code, without a token request", async () => {
    pending();
    at("/console/?error=access_denied&error_description=User%20cancelled&state=state-1");
    const fetchFn = vi.fn<typeof fetch>();
    expect(await handleCallback(config, env(fetchFn))).toEqual({
      kind: "error",
      error: { code: "provider", detail: "User cancelled" },
    });
    expect(fetchFn).not.toHaveBeenCalled();
    expect(window.location.search).toBe("");
  });

  it("says when the token endpoint cannot be reached", async () => {
    const { state } = pending();
    at(`/console/?code=c&state=${state}`);
    const fetchFn = vi.fn<typeof fetch>(async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await handleCallback(config, env(fetchFn))).toEqual({ kind: "error", error: { code: "tokenUnreachable" } });
  });
});

describe("tokens", () => {
  it("never reach localStorage or sessionStorage, from the sign-in to the callback", async () => {
    const setItem = vi.spyOn(Storage.prototype, "setItem");
    const go = vi.fn();
    await startSignIn(config, go);
    expect(setItem).toHaveBeenCalledTimes(1);

    const sent = new URL(go.mock.calls[0]?.[0] as string);
    at(`/console/?code=the-code&state=${sent.searchParams.get("state") ?? ""}`);
    const idToken = fakeIdToken({ nonce: sent.searchParams.get("nonce") ?? "" });
    const accessToken = "access-token-value-0123456789";
    const fetchFn = vi.fn<typeof fetch>(async () =>
      tokenResponse({ id_token: idToken, access_token: accessToken, token_type: "Bearer", expires_in: 3600 }),
    );
    expect((await handleCallback(config, env(fetchFn))).kind).toBe("signedIn");
    expect(bearerToken()).toBe(idToken);

    for (const call of setItem.mock.calls) {
      const written = call.join(" ");
      expect(written).not.toContain(idToken);
      expect(written).not.toContain(idToken.split(".")[1]);
      expect(written).not.toContain(accessToken);
    }
    expect(window.sessionStorage.length).toBe(0);
    expect(window.localStorage.length).toBe(0);
  });
});

describe("sign-out", () => {
  it("forgets the token and goes to the provider's logout with the client and the way back", () => {
    startSession(fakeIdToken());
    const go = vi.fn();
    signOut(config, go);
    expect(bearerToken()).toBeNull();
    expect(getSessionState().ended).toBe("signedOut");
    expect(go).toHaveBeenCalledWith(
      "http://127.0.0.1:3000/oidc/logout?client_id=liaison-local&logout_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fconsole%2F",
    );
    expect(
      logoutUrlFor({ ...config, logoutUrl: "https://brand.auth.eu-west-3.amazoncognito.com/logout" }, "https://console.brand.example"),
    ).toBe(
      "https://brand.auth.eu-west-3.amazoncognito.com/logout?client_id=liaison-local&logout_uri=https%3A%2F%2Fconsole.brand.example%2Fconsole%2F",
    );
  });
});
