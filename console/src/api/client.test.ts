import { describe, expect, it, vi } from "vitest";
import { ApiError, apiErrorFrom, createApiClient } from "./client";

function json(body: unknown, status: number, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

function client(respond: (request: Request) => Response | Promise<Response>, token: string | null = "id-token") {
  const requests: Request[] = [];
  const onUnauthorized = vi.fn();
  const api = createApiClient({
    baseUrl: "https://api.brand.example",
    token: () => token,
    onUnauthorized,
    fetch: async (input: RequestInfo | URL) => {
      const request = input as Request;
      requests.push(request);
      return respond(request);
    },
  });
  return { api, requests, onUnauthorized };
}

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error("expected an ApiError");
}

describe("the API client", () => {
  it("sends the ID token as the bearer, to the configured base URL", async () => {
    const { api, requests } = client(() => json({ cases: [], next: null }, 200));
    const { data } = await api.GET("/admin/cases", { params: { query: { status: "open", limit: 50 } } });
    expect(data).toEqual({ cases: [], next: null });
    expect(requests[0]?.url).toBe("https://api.brand.example/admin/cases?status=open&limit=50");
    expect(requests[0]?.headers.get("authorization")).toBe("Bearer id-token");
  });

  it("sends no Authorization header when signed out", async () => {
    const { api, requests } = client(() => json({ cases: [], next: null }, 200), null);
    await api.GET("/admin/cases");
    expect(requests[0]?.headers.has("authorization")).toBe(false);
  });

  it("throws the API's own error message, code and field", async () => {
    const { api, onUnauthorized } = client(() =>
      json({ error: { code: "conflict", message: "The contribution is no longer held." } }, 409),
    );
    const error = await caught(
      api.PUT("/admin/moderation/{id}", { params: { path: { id: "evt_1" } }, body: { decision: "approve" } }),
    );
    expect(error.message).toBe("The contribution is no longer held.");
    expect(error.status).toBe(409);
    expect(error.code).toBe("conflict");
    expect(onUnauthorized).not.toHaveBeenCalled();

    const invalid = await apiErrorFrom(
      json({ error: { code: "invalid_request", message: "reason is too long", field: "reason" } }, 400),
    );
    expect([invalid.message, invalid.code, invalid.field]).toEqual(["reason is too long", "invalid_request", "reason"]);
  });

  it("throws API Gateway's own message ({\"message\"}) for 401, 403 and 429", async () => {
    for (const [status, message] of [
      [401, "Unauthorized"],
      [403, "Forbidden"],
      [429, "Too Many Requests"],
    ] as const) {
      const { api, onUnauthorized } = client(() => json({ message }, status, { "x-liaison-gateway": "1" }));
      const error = await caught(api.GET("/admin/opportunities"));
      expect(error.message).toBe(message);
      expect(error.status).toBe(status);
      expect(error.code).toBe("gateway");
      expect(onUnauthorized).toHaveBeenCalledTimes(status === 401 ? 1 : 0);
    }
  });

  it("forgets the session on the functions' 401 too", async () => {
    const { api, onUnauthorized } = client(() => json({ error: { code: "unauthorized", message: "No token." } }, 401));
    const error = await caught(api.GET("/admin/questions"));
    expect(error.message).toBe("No token.");
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("has no message of its own for an unreadable answer or no answer (the screens word them)", async () => {
    const unreadable = await caught(client(() => new Response("<html>Bad gateway</html>", { status: 502 })).api.GET("/admin/cases"));
    expect([unreadable.status, unreadable.code, unreadable.message]).toEqual([502, "unknown", ""]);

    const offline = await caught(
      client(() => {
        throw new TypeError("Failed to fetch");
      }).api.GET("/admin/cases"),
    );
    expect([offline.status, offline.code]).toEqual([0, "network"]);
  });
});
