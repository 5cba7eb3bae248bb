import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeIdToken, fakeJwt } from "../test/tokens";
import {
  bearerToken,
  currentSession,
  endSession,
  getSessionState,
  readIdToken,
  resetSessionForTests,
  startSession,
  subscribe,
} from "./session";

afterEach(() => {
  resetSessionForTests();
  vi.useRealTimers();
});

describe("the ID token's payload", () => {
  it("gives the email, the expiry and the groups (unknown groups left out)", () => {
    const token = fakeJwt({
      email: "élodie@brand.example",
      exp: 2_000_000_000,
      nonce: "n-1",
      "cognito:groups": ["liaison-sales", "liaison-marketer", "us-east-1_pool_Google", "liaison-sales"],
    });
    expect(readIdToken(token)).toEqual({
      email: "élodie@brand.example",
      exp: 2_000_000_000,
      nonce: "n-1",
      groups: ["liaison-sales", "liaison-marketer"],
    });
  });

  it("has no groups when the claim is absent, and refuses what is not a JWT with exp", () => {
    expect(readIdToken(fakeJwt({ exp: 1 })).groups).toEqual([]);
    expect(() => readIdToken("abc")).toThrow();
    expect(() => readIdToken(fakeJwt({ email: "a@b.c" }))).toThrow(/exp/);
    expect(() => readIdToken("a.%%%.c")).toThrow();
  });
});

describe("the session", () => {
  it("opens with a valid token, which becomes the bearer", () => {
    const token = fakeIdToken({ groups: ["liaison-admin"], email: "admin@brand.example" });
    const session = startSession(token);
    expect(session.groups).toEqual(["liaison-admin"]);
    expect(session.email).toBe("admin@brand.example");
    expect(bearerToken()).toBe(token);
  });

  it("counts an expired token as signed out", () => {
    const now = Date.now();
    expect(() => startSession(fakeIdToken({ expiresInSeconds: -10, now }))).toThrow(/expired/);
    expect(currentSession()).toBeNull();

    const token = fakeIdToken({ expiresInSeconds: 60, now });
    startSession(token, now);
    expect(currentSession(now + 30_000)?.idToken).toBe(token);
    expect(currentSession(now + 61_000)).toBeNull();
    expect(getSessionState()).toEqual({ session: null, ended: "expired" });
    expect(bearerToken()).toBeNull();
  });

  it("ends by itself when the token expires, and tells its listeners", () => {
    vi.useFakeTimers();
    const listener = vi.fn();
    subscribe(listener);
    startSession(fakeIdToken({ expiresInSeconds: 120 }));
    expect(listener).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(119_000);
    expect(getSessionState().session).not.toBeNull();
    vi.advanceTimersByTime(2_000);
    expect(getSessionState()).toEqual({ session: null, ended: "expired" });
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it("is forgotten on a 401 or a sign-out, with the reason kept for the landing page", () => {
    startSession(fakeIdToken());
    endSession("unauthorized");
    expect(getSessionState()).toEqual({ session: null, ended: "unauthorized" });
    expect(bearerToken()).toBeNull();
  });
});
