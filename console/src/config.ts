// What the console reads at start: /console/config.json, on its own origin (README.md).

export interface Config {
  /** The API's origin; "" means the console's own. Never ends with "/". */
  apiBaseUrl: string;
  authorizeUrl: string;
  tokenUrl: string;
  logoutUrl: string;
  clientId: string;
  scope: string;
}

export type ConfigField = keyof Config;

/** Why a field is refused; each has its sentence in the i18n files (`config.problem.*`). */
export type ConfigProblemReason = "missing" | "notString" | "notUrl" | "noOpenid" | "empty";

export interface ConfigProblem {
  field: ConfigField | "file";
  reason: ConfigProblemReason | "unreachable" | "notJson" | "notObject";
  /** The HTTP status when the file could not be read. */
  status?: number;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

const URL_FIELDS = ["authorizeUrl", "tokenUrl", "logoutUrl"] as const;

/** A same-origin path ("/oidc/token") or an absolute http(s) URL. */
function isEndpoint(value: string): boolean {
  if (value.startsWith("/") && !value.startsWith("//")) return true;
  return isAbsoluteHttpUrl(value);
}

function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.hash === "";
  } catch {
    return false;
  }
}

/** Checks the shape of config.json; every problem is listed, not just the first. */
export function parseConfig(value: unknown): ConfigResult {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, problems: [{ field: "file", reason: "notObject" }] };
  }
  const raw = value as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  const text = (field: ConfigField): string | undefined => {
    const v = raw[field];
    if (v === undefined || v === null) {
      problems.push({ field, reason: "missing" });
      return undefined;
    }
    if (typeof v !== "string") {
      problems.push({ field, reason: "notString" });
      return undefined;
    }
    return v.trim();
  };

  const apiBaseUrl = text("apiBaseUrl");
  if (apiBaseUrl !== undefined && apiBaseUrl !== "" && !isAbsoluteHttpUrl(apiBaseUrl)) {
    problems.push({ field: "apiBaseUrl", reason: "notUrl" });
  }
  const urls: Partial<Record<(typeof URL_FIELDS)[number], string>> = {};
  for (const field of URL_FIELDS) {
    const v = text(field);
    if (v === undefined) continue;
    if (!isEndpoint(v)) problems.push({ field, reason: "notUrl" });
    urls[field] = v;
  }
  const clientId = text("clientId");
  if (clientId === "") problems.push({ field: "clientId", reason: "empty" });
  const scope = text("scope");
  if (scope !== undefined && !scope.split(/\s+/).includes("openid")) {
    problems.push({ field: "scope", reason: "noOpenid" });
  }

  if (
    problems.length > 0 ||
    apiBaseUrl === undefined ||
    urls.authorizeUrl === undefined ||
    urls.tokenUrl === undefined ||
    urls.logoutUrl === undefined ||
    clientId === undefined ||
    scope === undefined
  ) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    config: {
      apiBaseUrl: apiBaseUrl.replace(/\/+$/, ""),
      authorizeUrl: urls.authorizeUrl,
      tokenUrl: urls.tokenUrl,
      logoutUrl: urls.logoutUrl,
      clientId,
      scope,
    },
  };
}

/** Fetches and checks config.json (never cached: a deployment may change it). */
export async function loadConfig(
  url: string = `${import.meta.env.BASE_URL}config.json`,
  fetchFn: typeof fetch = fetch,
): Promise<ConfigResult> {
  let response: Response;
  try {
    response = await fetchFn(url, { cache: "no-store", headers: { accept: "application/json" } });
  } catch {
    return { ok: false, problems: [{ field: "file", reason: "unreachable" }] };
  }
  if (!response.ok) {
    return { ok: false, problems: [{ field: "file", reason: "unreachable", status: response.status }] };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { ok: false, problems: [{ field: "file", reason: "notJson" }] };
  }
  return parseConfig(body);
}
