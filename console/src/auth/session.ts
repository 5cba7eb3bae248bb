// The signed-in staff member, in memory only: a module-level store, never written to
// localStorage or sessionStorage (README.md, "Security rules"). A reload signs out.

import { base64urlDecode } from "./pkce";

export const GROUPS = ["liaison-admin", "liaison-support", "liaison-sales", "liaison-marketer"] as const;
export type Group = (typeof GROUPS)[number];

/** The claim Cognito puts a user's groups in (the stack's `JwtGroupsClaim`). */
export const GROUPS_CLAIM = "cognito:groups";

export interface IdTokenClaims {
  email: string | null;
  /** Seconds since the epoch. */
  exp: number;
  nonce: string | null;
  groups: Group[];
}

export interface Session {
  idToken: string;
  email: string | null;
  groups: Group[];
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Why there is no session any more: the landing page says so. */
export type EndReason = "expired" | "unauthorized" | "signedOut";

export interface SessionState {
  session: Session | null;
  ended: EndReason | null;
}

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidTokenError";
  }
}

function isGroup(value: unknown): value is Group {
  return typeof value === "string" && (GROUPS as readonly string[]).includes(value);
}

/**
 * Reads (does not verify: API Gateway does) a JWT's payload. The groups claim is an array
 * of names; unknown names are left out.
 */
export function readIdToken(token: string): IdTokenClaims {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[1] === undefined || parts[1] === "") {
    throw new InvalidTokenError("the ID token is not a JWT");
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(base64urlDecode(parts[1])));
  } catch {
    throw new InvalidTokenError("the ID token's payload is not JSON");
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new InvalidTokenError("the ID token's payload is not an object");
  }
  const claims = payload as Record<string, unknown>;
  if (typeof claims.exp !== "number" || !Number.isFinite(claims.exp)) {
    throw new InvalidTokenError("the ID token has no exp");
  }
  const rawGroups = claims[GROUPS_CLAIM];
  const groups = Array.isArray(rawGroups) ? rawGroups.filter(isGroup) : [];
  return {
    email: typeof claims.email === "string" ? claims.email : null,
    exp: claims.exp,
    nonce: typeof claims.nonce === "string" ? claims.nonce : null,
    groups: [...new Set(groups)],
  };
}

export function isExpired(expiresAt: number, now: number = Date.now()): boolean {
  return expiresAt <= now;
}

// The store.
let state: SessionState = { session: null, ended: null };
const listeners = new Set<() => void>();
let expiryTimer: ReturnType<typeof setTimeout> | undefined;

function publish(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

function clearTimer(): void {
  if (expiryTimer !== undefined) clearTimeout(expiryTimer);
  expiryTimer = undefined;
}

/** setTimeout takes at most 2^31-1 ms; a longer wait is re-armed. */
function armExpiry(expiresAt: number): void {
  clearTimer();
  const wait = Math.min(Math.max(expiresAt - Date.now(), 0), 2 ** 31 - 1);
  expiryTimer = setTimeout(() => {
    expiryTimer = undefined;
    if (state.session === null) return;
    if (isExpired(state.session.expiresAt)) endSession("expired");
    else armExpiry(state.session.expiresAt);
  }, wait);
}

/** Keeps an ID token (in memory) and returns the session it opens. */
export function startSession(idToken: string, now: number = Date.now()): Session {
  const claims = readIdToken(idToken);
  const expiresAt = claims.exp * 1000;
  if (isExpired(expiresAt, now)) throw new InvalidTokenError("the ID token has expired");
  const session: Session = { idToken, email: claims.email, groups: claims.groups, expiresAt };
  publish({ session, ended: null });
  armExpiry(expiresAt);
  return session;
}

/** Forgets the token. */
export function endSession(reason: EndReason): void {
  clearTimer();
  if (state.session === null && state.ended === reason) return;
  publish({ session: null, ended: reason });
}

/** The session, or null; an expired token counts as signed out (and is forgotten). */
export function currentSession(now: number = Date.now()): Session | null {
  const session = state.session;
  if (session === null) return null;
  if (isExpired(session.expiresAt, now)) {
    endSession("expired");
    return null;
  }
  return session;
}

/** The value of the Authorization header's bearer, or null when signed out. */
export function bearerToken(now: number = Date.now()): string | null {
  return currentSession(now)?.idToken ?? null;
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function getSessionState(): SessionState {
  return state;
}

/** Tests only: back to a fresh page. */
export function resetSessionForTests(): void {
  clearTimer();
  state = { session: null, ended: null };
  listeners.clear();
}
