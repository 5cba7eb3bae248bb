import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "./config";

const LOCAL = {
  apiBaseUrl: "",
  authorizeUrl: "/oidc/authorize",
  tokenUrl: "/oidc/token",
  logoutUrl: "/oidc/logout",
  clientId: "liaison-local",
  scope: "openid email profile",
};

describe("config.json", () => {
  it("takes the local runner's and Cognito's shapes", () => {
    expect(parseConfig(LOCAL)).toEqual({ ok: true, config: LOCAL });
    const aws = {
      apiBaseUrl: "https://abc123.execute-api.eu-west-3.amazonaws.com/",
      authorizeUrl: "https://brand.auth.eu-west-3.amazoncognito.com/oauth2/authorize",
      tokenUrl: "https://brand.auth.eu-west-3.amazoncognito.com/oauth2/token",
      logoutUrl: "https://brand.auth.eu-west-3.amazoncognito.com/logout",
      clientId: "5v1example",
      scope: "openid email profile",
    };
    expect(parseConfig(aws)).toEqual({
      ok: true,
      config: { ...aws, apiBaseUrl: "https://abc123.execute-api.eu-west-3.amazonaws.com" },
    });
  });

  it("lists every problem of a malformed file", () => {
    expect(
      parseConfig({ apiBaseUrl: "api.example", authorizeUrl: "//evil.example/x", tokenUrl: 3, clientId: "", scope: "email" }),
    ).toEqual({
      ok: false,
      problems: [
        { field: "apiBaseUrl", reason: "notUrl" },
        { field: "authorizeUrl", reason: "notUrl" },
        { field: "tokenUrl", reason: "notString" },
        { field: "logoutUrl", reason: "missing" },
        { field: "clientId", reason: "empty" },
        { field: "scope", reason: "noOpenid" },
      ],
    });
    expect(parseConfig([])).toEqual({ ok: false, problems: [{ field: "file", reason: "notObject" }] });
    expect(parseConfig({ ...LOCAL, tokenUrl: "javascript:alert(1)" }).ok).toBe(false);
  });

  it("says when the file is missing or not JSON", async () => {
    const missing = await loadConfig("/console/config.json", async () => new Response("Not found", { status: 404 }));
    expect(missing).toEqual({ ok: false, problems: [{ field: "file", reason: "unreachable", status: 404 }] });
    const html = await loadConfig("/console/config.json", async () => new Response("<!doctype html>", { status: 200 }));
    expect(html).toEqual({ ok: false, problems: [{ field: "file", reason: "notJson" }] });
    const good = await loadConfig("/console/config.json", async () => new Response(JSON.stringify(LOCAL)));
    expect(good.ok).toBe(true);
  });
});
