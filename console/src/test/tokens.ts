// Test helpers: unsigned JWTs shaped like Cognito's ID tokens.

import { base64url } from "../auth/pkce";
import type { Group } from "../auth/session";

function part(value: unknown): string {
  return base64url(new TextEncoder().encode(JSON.stringify(value)));
}

export function fakeJwt(payload: Record<string, unknown>): string {
  return `${part({ alg: "RS256", kid: "test" })}.${part(payload)}.c2lnbmF0dXJl`;
}

export function fakeIdToken({
  email = "camille@brand.example",
  groups = ["liaison-support"],
  expiresInSeconds = 3600,
  nonce,
  now = Date.now(),
}: {
  email?: string;
  groups?: Group[];
  expiresInSeconds?: number;
  nonce?: string;
  now?: number;
} = {}): string {
  const iat = Math.floor(now / 1000);
  return fakeJwt({
    sub: "4f1c2d3e",
    email,
    "cognito:groups": groups,
    token_use: "id",
    iat,
    exp: iat + expiresInSeconds,
    ...(nonce === undefined ? {} : { nonce }),
  });
}
