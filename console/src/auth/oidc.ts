// Sign-in with OAuth 2.0's authorization code flow and PKCE (S256), as Cognito's managed
// login and the local runner's provider (/oidc) both do. Only the verifier, state and nonce
// of a sign-in in progress are written to sessionStorage, and removed as soon as the
// callback is handled; tokens stay in memory (session.ts).

import type { Config } from "../config";
import { challengeFor, createVerifier, randomString } from "./pkce";
import { InvalidTokenError, endSession, readIdToken, startSession, type Session } from "./session";

/** Where the app is served; also where the provider sends staff back. */
export const APP_PATH = "/console/";

/** The one sessionStorage key the console writes. */
export const PENDING_SIGN_IN_KEY = "liaison.console.signIn";

export interface PendingSignIn {
  verifier: string;
  state: string;
  nonce: string;
  /** Where the user was in the console (path, query, fragment): back there once signed in. */
  returnTo?: string;
}

/**
 * `path` if it is a place in the console (same origin, under APP_PATH), else `undefined`:
 * what comes back from sessionStorage is not trusted to name another site (`//evil`,
 * `/console/../x` and schemes are refused).
 */
export function consolePath(path: unknown): string | undefined {
  if (typeof path !== "string" || !path.startsWith(APP_PATH) || path.length > 2000) return undefined;
  const parsed = new URL(path, "https://console.invalid");
  if (parsed.origin !== "https://console.invalid" || !parsed.pathname.startsWith(APP_PATH)) return undefined;
  return `${parsed.pathname}${parsed.search}${parsed.hash}`;
}

/** The address the provider sends staff back to, after sign-in and sign-out. */
export function redirectUri(origin: string = window.location.origin): string {
  return `${origin}${APP_PATH}`;
}

/** The authorization request for a new sign-in, and what to keep until the callback. */
export async function prepareSignIn(
  config: Config,
  origin: string = window.location.origin,
): Promise<{ url: string; pending: PendingSignIn }> {
  const pending: PendingSignIn = {
    verifier: createVerifier(),
    state: randomString(32),
    nonce: randomString(32),
  };
  const url = new URL(config.authorizeUrl, origin);
  const params: [string, string][] = [
    ["response_type", "code"],
    ["client_id", config.clientId],
    ["redirect_uri", redirectUri(origin)],
    ["scope", config.scope],
    ["state", pending.state],
    ["nonce", pending.nonce],
    ["code_challenge", await challengeFor(pending.verifier)],
    ["code_challenge_method", "S256"],
  ];
  for (const [name, value] of params) url.searchParams.set(name, value);
  return { url: url.toString(), pending };
}

/**
 * Starts a sign-in: keeps the verifier, state and nonce, and where the user is (a shared
 * link to a filtered inbox or a conversation survives the sign-in), and goes to the provider.
 */
export async function startSignIn(
  config: Config,
  go: (url: string) => void = (url) => window.location.assign(url),
): Promise<void> {
  const { url, pending } = await prepareSignIn(config);
  const here = consolePath(`${window.location.pathname}${window.location.search}${window.location.hash}`);
  const kept: PendingSignIn = here === undefined || here === APP_PATH ? pending : { ...pending, returnTo: here };
  window.sessionStorage.setItem(PENDING_SIGN_IN_KEY, JSON.stringify(kept));
  go(url);
}

/** Reads and removes the sign-in in progress (at most once). */
function takePendingSignIn(storage: Storage): PendingSignIn | null {
  const raw = storage.getItem(PENDING_SIGN_IN_KEY);
  storage.removeItem(PENDING_SIGN_IN_KEY);
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== "object" || value === null) return null;
    const { verifier, state, nonce, returnTo } = value as Record<string, unknown>;
    if (typeof verifier !== "string" || typeof state !== "string" || typeof nonce !== "string") return null;
    const back = consolePath(returnTo);
    return back === undefined ? { verifier, state, nonce } : { verifier, state, nonce, returnTo: back };
  } catch {
    return null;
  }
}

/** Why a callback did not sign in; each code has its sentence (`signIn.error.*`). */
export type SignInErrorCode =
  | "stateMismatch"
  | "provider"
  | "tokenRefused"
  | "tokenUnreachable"
  | "nonceMismatch"
  | "invalidToken";

export interface SignInError {
  code: SignInErrorCode;
  /** The provider's own words (`error_description`, else `error`), when it gave some. */
  detail?: string;
}

export type CallbackResult =
  | { kind: "none" }
  | { kind: "signedIn"; session: Session }
  | { kind: "error"; error: SignInError };

const CALLBACK_PARAMS = ["code", "state", "error", "error_description", "error_uri", "iss", "session_state"];

export interface CallbackEnvironment {
  location: Pick<Location, "href" | "origin">;
  history: Pick<History, "replaceState" | "state">;
  storage: Storage;
  fetchFn: typeof fetch;
}

function browserEnvironment(): CallbackEnvironment {
  return {
    location: window.location,
    history: window.history,
    storage: window.sessionStorage,
    fetchFn: (...args) => fetch(...args),
  };
}

function oauthErrorDetail(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { error, error_description: description } = body as Record<string, unknown>;
  if (typeof description === "string" && description !== "") return description;
  if (typeof error === "string" && error !== "") return error;
  return undefined;
}

/**
 * Handles `/console/?code=…&state=…` (or `?error=…`): checks the state before anything
 * else, exchanges the code for tokens, checks the ID token's nonce and keeps the ID token
 * in memory. The URL loses its code and state whatever happens, so that a reload never
 * replays them.
 */
export async function handleCallback(
  config: Config,
  env: CallbackEnvironment = browserEnvironment(),
): Promise<CallbackResult> {
  const url = new URL(env.location.href);
  const code = url.searchParams.get("code");
  const providerError = url.searchParams.get("error");
  if (code === null && providerError === null) return { kind: "none" };

  const returnedState = url.searchParams.get("state");
  const providerDescription = url.searchParams.get("error_description");
  const pending = takePendingSignIn(env.storage);
  for (const name of CALLBACK_PARAMS) url.searchParams.delete(name);
  env.history.replaceState(env.history.state, "", `${url.pathname}${url.search}${url.hash}`);

  if (providerError !== null) {
    return {
      kind: "error",
      error: { code: "provider", detail: providerDescription ?? providerError },
    };
  }
  if (pending === null || returnedState === null || returnedState !== pending.state) {
    return { kind: "error", error: { code: "stateMismatch" } };
  }

  let response: Response;
  try {
    response = await env.fetchFn(new URL(config.tokenUrl, env.location.origin).toString(), {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: code ?? "",
        redirect_uri: redirectUri(env.location.origin),
        client_id: config.clientId,
        code_verifier: pending.verifier,
      }).toString(),
    });
  } catch {
    return { kind: "error", error: { code: "tokenUnreachable" } };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const idToken =
    typeof body === "object" && body !== null ? (body as Record<string, unknown>).id_token : undefined;
  if (!response.ok || typeof idToken !== "string") {
    const detail = oauthErrorDetail(body);
    return { kind: "error", error: detail === undefined ? { code: "tokenRefused" } : { code: "tokenRefused", detail } };
  }

  try {
    const claims = readIdToken(idToken);
    if (claims.nonce !== pending.nonce) return { kind: "error", error: { code: "nonceMismatch" } };
    const session = startSession(idToken);
    if (pending.returnTo !== undefined) env.history.replaceState(env.history.state, "", pending.returnTo);
    return { kind: "signedIn", session };
  } catch (error) {
    if (error instanceof InvalidTokenError) {
      return { kind: "error", error: { code: "invalidToken", detail: error.message } };
    }
    throw error;
  }
}

/** The provider's sign-out address, back to the console afterwards. */
export function logoutUrlFor(config: Config, origin: string = window.location.origin): string {
  const url = new URL(config.logoutUrl, origin);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("logout_uri", redirectUri(origin));
  return url.toString();
}

/** Forgets the token and ends the provider's session too. */
export function signOut(config: Config, go: (url: string) => void = (url) => window.location.assign(url)): void {
  endSession("signedOut");
  go(logoutUrlFor(config));
}
