// Finding a contact (GET /admin/contacts): by email, or a platform with a handle or an
// account, or straight to a contact's page by its id. The search lives in the page's URL
// (`?email=…`, `?platform=…&handle=…`, `?platform=…&account=…`), so that it survives a
// reload and the back button.

import { PLATFORMS, type Platform } from "../lib/platforms";

export { PLATFORMS, type Platform };

/** A Standard Webhooks source's accounts and handles are its own: `standard-webhooks@{source_id}`. */
export const PER_SOURCE_PLATFORM: Platform = "standard-webhooks";

export type SearchMode = "email" | "handle" | "account" | "id";
export const SEARCH_MODES: readonly SearchMode[] = ["email", "handle", "account", "id"];

/** What the search form holds. */
export interface SearchForm {
  mode: SearchMode;
  email: string;
  platform: Platform;
  sourceId: string;
  handle: string;
  account: string;
  id: string;
}

/** GET /admin/contacts's query: one of its three forms. */
export type ContactQuery = { email: string } | { platform: string; handle: string } | { platform: string; account: string };

export type SearchProblem =
  | "emailMissing"
  | "emailInvalid"
  | "sourceMissing"
  | "handleMissing"
  | "accountMissing"
  | "idMissing";

export type SearchTarget =
  | { ok: true; kind: "query"; query: ContactQuery }
  | { ok: true; kind: "id"; id: string }
  | { ok: false; problem: SearchProblem };

export const EMPTY_FORM: SearchForm = {
  mode: "email",
  email: "",
  platform: "x",
  sourceId: "",
  handle: "",
  account: "",
  id: "",
};

/** The API's platform parameter: `standard-webhooks@{source_id}` for a Standard Webhooks source. */
export function platformParam(platform: Platform, sourceId: string): string {
  return platform === PER_SOURCE_PLATFORM ? `${platform}@${sourceId.trim()}` : platform;
}

/** What the form asks for, or why it cannot be asked yet. */
export function searchTarget(form: SearchForm): SearchTarget {
  switch (form.mode) {
    case "email": {
      const email = form.email.trim();
      if (email === "") return { ok: false, problem: "emailMissing" };
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) return { ok: false, problem: "emailInvalid" };
      return { ok: true, kind: "query", query: { email } };
    }
    case "handle":
    case "account": {
      if (form.platform === PER_SOURCE_PLATFORM && form.sourceId.trim() === "") return { ok: false, problem: "sourceMissing" };
      const platform = platformParam(form.platform, form.sourceId);
      const value = (form.mode === "handle" ? form.handle : form.account).trim();
      if (value === "") return { ok: false, problem: form.mode === "handle" ? "handleMissing" : "accountMissing" };
      return { ok: true, kind: "query", query: form.mode === "handle" ? { platform, handle: value } : { platform, account: value } };
    }
    case "id": {
      const id = form.id.trim();
      if (id === "") return { ok: false, problem: "idMissing" };
      return { ok: true, kind: "id", id };
    }
  }
}

/** The query as the page's URL parameters. */
export function toSearchParams(query: ContactQuery): Record<string, string> {
  if ("email" in query) return { email: query.email };
  if ("handle" in query) return { platform: query.platform, handle: query.handle };
  return { platform: query.platform, account: query.account };
}

/** The query the page's URL holds, if any (as the API reads it: email first). */
export function fromSearchParams(params: URLSearchParams): ContactQuery | null {
  const email = params.get("email")?.trim() ?? "";
  if (email !== "") return { email };
  const platform = params.get("platform")?.trim() ?? "";
  if (platform === "") return null;
  const handle = params.get("handle")?.trim() ?? "";
  if (handle !== "") return { platform, handle };
  const account = params.get("account")?.trim() ?? "";
  if (account !== "") return { platform, account };
  return null;
}

function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

/** The form showing `query` (the URL's), to correct and search again. */
export function formFor(query: ContactQuery | null): SearchForm {
  if (query === null) return EMPTY_FORM;
  if ("email" in query) return { ...EMPTY_FORM, mode: "email", email: query.email };
  const [name = "", source = ""] = query.platform.split("@", 2);
  const platform: Platform = isPlatform(name) ? name : EMPTY_FORM.platform;
  const sourceId = platform === PER_SOURCE_PLATFORM ? source : "";
  if ("handle" in query) return { ...EMPTY_FORM, mode: "handle", platform, sourceId, handle: query.handle };
  return { ...EMPTY_FORM, mode: "account", platform, sourceId, account: query.account };
}
