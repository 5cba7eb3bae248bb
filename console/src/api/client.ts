// The staff API's client: openapi-fetch, typed by the paths generated from
// docs/openapi.yaml (src/api/schema.d.ts, `npm run generate`).

import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type ApiClient = Client<paths>;

/** The codes of `{"error": {"code"}}`, plus what the console itself names. */
export type ApiErrorCode =
  | components["schemas"]["Error"]["error"]["code"]
  /** API Gateway's own answer, `{"message"}` (401, 403, 429, its 5xx). */
  | "gateway"
  /** No answer at all (offline, DNS, CORS). */
  | "network"
  /** An answer the console cannot read. */
  | "unknown";

/** A failed API call, with the words to show (`message`) and the machine-readable rest. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly field: string | undefined;

  constructor(status: number, code: ApiErrorCode, message: string, field?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

const KNOWN_CODES = new Set<string>([
  "invalid_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "conflict",
  "gone",
  "payload_too_large",
  "unavailable",
  "internal",
]);

/**
 * The error an answer carries: the functions' `{"error": {"code", "message", "field"?}}` or
 * API Gateway's `{"message"}`. The message is the API's own; an answer without one gets an
 * empty message and the code `unknown` (the screens then say so in their own words).
 */
export async function apiErrorFrom(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.clone().json();
  } catch {
    body = null;
  }
  if (typeof body === "object" && body !== null) {
    const record = body as Record<string, unknown>;
    const error = record.error;
    if (typeof error === "object" && error !== null) {
      const { code, message, field } = error as Record<string, unknown>;
      if (typeof message === "string") {
        return new ApiError(
          response.status,
          typeof code === "string" && KNOWN_CODES.has(code) ? (code as ApiErrorCode) : "unknown",
          message,
          typeof field === "string" ? field : undefined,
        );
      }
    }
    if (typeof record.message === "string") {
      return new ApiError(response.status, "gateway", record.message);
    }
  }
  return new ApiError(response.status, "unknown", "");
}

export interface AuthOptions {
  /** The bearer to send (the ID token), or null when signed out. */
  token: () => string | null;
  /** Called on a 401: the token is no longer good. */
  onUnauthorized: () => void;
}

/** Adds the bearer token; turns every error answer into a thrown ApiError. */
export function authMiddleware({ token, onUnauthorized }: AuthOptions): Middleware {
  return {
    onRequest({ request }) {
      const value = token();
      if (value !== null) request.headers.set("authorization", `Bearer ${value}`);
      return request;
    },
    async onResponse({ response }) {
      if (response.ok) return undefined;
      const error = await apiErrorFrom(response);
      if (response.status === 401) onUnauthorized();
      throw error;
    },
    onError({ error }) {
      if (error instanceof ApiError) return error;
      // A request the query layer cancelled stays a cancellation.
      if (error instanceof Error && error.name === "AbortError") return error;
      return new ApiError(0, "network", "");
    },
  };
}

export interface ClientOptions extends AuthOptions {
  /** The API's origin; "" means the console's own. */
  baseUrl: string;
  fetch?: typeof fetch;
}

export function createApiClient({ baseUrl, fetch: fetchFn, ...auth }: ClientOptions): ApiClient {
  const client = createClient<paths>({
    baseUrl: baseUrl === "" ? window.location.origin : baseUrl,
    ...(fetchFn === undefined ? {} : { fetch: fetchFn }),
    headers: { accept: "application/json" },
  });
  client.use(authMiddleware(auth));
  return client;
}

/** Unwraps openapi-fetch's `{data, error}`: errors were already thrown by the middleware. */
export function dataOf<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new ApiError(result.response.status, "unknown", "");
  }
  return result.data;
}
