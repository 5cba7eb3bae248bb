// What a scene puts in the local stack before the browser looks, through the same doors as
// everyone: a staff token from the development OpenID Connect provider (the authorization
// code flow with PKCE, as the console does), the staff API, and webhooks signed as a
// Standard Webhooks platform signs them.

import { createHash, createHmac, randomBytes } from "node:crypto";
import { expect, type APIRequestContext } from "@playwright/test";
import type { Group } from "./steps";

const CLIENT_ID = process.env.LIAISON_CLIENT_ID ?? "liaison-local";

function base64url(bytes: Buffer): string {
  return bytes.toString("base64url");
}

/** An ID token for `group`, signed in through /oidc as a browser would. */
export async function staffToken(request: APIRequestContext, group: Group, email = "seed@brand.example"): Promise<string> {
  const verifier = base64url(randomBytes(48));
  const challenge = base64url(createHash("sha256").update(verifier).digest());
  const origin = new URL(process.env.LIAISON_URL ?? "http://127.0.0.1:3000").origin;
  const redirectUri = `${origin}/console/`;
  const signedIn = await request.post("/oidc/authorize", {
    form: {
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: redirectUri,
      scope: "openid email",
      state: "seed",
      code_challenge: challenge,
      code_challenge_method: "S256",
      email,
      group,
    },
    maxRedirects: 0,
  });
  expect(signedIn.status(), await signedIn.text()).toBe(303);
  const code = new URL(signedIn.headers()["location"] ?? "").searchParams.get("code") ?? "";
  const tokens = await request.post("/oidc/token", {
    form: {
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      client_id: CLIENT_ID,
      code_verifier: verifier,
    },
  });
  expect(tokens.status(), await tokens.text()).toBe(200);
  return ((await tokens.json()) as { id_token: string }).id_token;
}

/** A staff API call; the JSON answer (null for 204), after checking the status. */
export async function api<T = unknown>(
  request: APIRequestContext,
  token: string,
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
  expected = [200, 201, 202, 204],
): Promise<T> {
  const response = await request.fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { data: body }),
  });
  const text = await response.text();
  expect(expected, `${method} ${path}: ${response.status()} ${text}`).toContain(response.status());
  return (text === "" ? null : JSON.parse(text)) as T;
}

/** A registered source and the secret its webhooks are signed with. */
export interface Source {
  id: string;
  secret: string;
}

/** A Standard Webhooks source (a blog, a shop: the generic platform), registered by an admin. */
export async function createSource(request: APIRequestContext, name: string): Promise<Source> {
  const admin = await staffToken(request, "liaison-admin");
  const created = await api<{ id: string; secret: string }>(request, admin, "POST", "/admin/sources", {
    platform: "standard-webhooks",
    name,
  });
  return { id: created.id, secret: created.secret };
}

/** The local stack's clock (a scene may have moved it forwards), in seconds. */
async function stackSeconds(request: APIRequestContext): Promise<number> {
  const clock = await request.get("/_local/clock");
  const now = clock.ok() ? ((await clock.json()) as { now?: string }).now : undefined;
  return Math.floor((now === undefined ? Date.now() : Date.parse(now)) / 1000);
}

/** Delivers `payload` (`{"type", "data"}`) to the source, signed at the stack's time (its
 * signature check refuses a timestamp five minutes away); the answer's JSON. */
export async function deliver(request: APIRequestContext, source: Source, payload: unknown): Promise<unknown> {
  const id = `msg_${base64url(randomBytes(12))}`;
  const timestamp = (await stackSeconds(request)).toString();
  const body = JSON.stringify(payload);
  const key = Buffer.from(source.secret.replace(/^whsec_/, ""), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  const response = await request.post(`/hooks/${source.id}`, {
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": timestamp,
      "webhook-signature": `v1,${signature}`,
    },
    data: body,
  });
  expect([200, 202], `${response.status()} ${await response.text()}`).toContain(response.status());
  return response.json();
}
