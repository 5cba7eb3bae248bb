// What each platform needs at registration (functions/admin/src/platforms.rs, and
// docs/connectors.md's table): whether the owner gives the signing secret or Liaison
// generates it, the other credentials it takes, its settings; and the registration form's
// state turned into POST /admin/sources's body.

import type { CreateSourceRequest, Platform } from "./queries";

export { PLATFORMS } from "../lib/platforms";

/** How a value is typed and checked: a URL Liaison calls, a YouTube channel id, a short text, a login, a secret. */
export type NeedKind = "url" | "channel" | "text" | "login" | "secret";

export interface Need {
  /** The API's name, also the i18n key of its label and help (`sources.fields.{name}`). */
  name: string;
  kind: NeedKind;
  required: boolean;
  /** Liaison generates it when not given (shown once). */
  generated?: boolean;
}

export interface PlatformNeeds {
  /** `given`: the platform issues the signing secret and the owner must paste it. */
  secret: "given" | "generated";
  settings: readonly Need[];
  credentials: readonly Need[];
  /** Credentials that go together, and the setting they need (the poll function's logins). */
  pairs: readonly { names: readonly string[]; setting: string }[];
}

const setting = (name: string, kind: NeedKind, required = false): Need => ({ name, kind, required });
const credential = (name: string, kind: NeedKind = "secret", generated = false): Need => ({
  name,
  kind,
  required: false,
  ...(generated ? { generated } : {}),
});

/** An OAuth 2.0 login to answer with (X, YouTube, Trustpilot). Liaison records when the token expires. */
const OAUTH: readonly Need[] = [
  credential("access_token"),
  credential("refresh_token"),
  credential("client_id", "login"),
  credential("client_secret"),
];

/** Every platform may have moderation decisions sent back (`moderation_callback_url`). */
export const CALLBACK_URL = "moderation_callback_url";

const NEEDS: Record<Platform, PlatformNeeds> = {
  "standard-webhooks": { secret: "generated", settings: [setting("reply_url", "url")], credentials: [], pairs: [] },
  shopify: { secret: "given", settings: [setting("shop_domain", "text")], credentials: [], pairs: [] },
  woocommerce: {
    secret: "generated",
    settings: [setting("site_url", "url")],
    credentials: [credential("consumer_key"), credential("consumer_secret")],
    pairs: [{ names: ["consumer_key", "consumer_secret"], setting: "site_url" }],
  },
  wordpress: {
    secret: "generated",
    settings: [setting("site_url", "url")],
    credentials: [credential("username", "login"), credential("application_password")],
    pairs: [{ names: ["username", "application_password"], setting: "site_url" }],
  },
  discourse: {
    secret: "generated",
    settings: [setting("instance_url", "url")],
    credentials: [credential("api_key"), credential("api_username", "login")],
    pairs: [],
  },
  meta: {
    secret: "given",
    settings: [setting("page_id", "text"), setting("instagram_account_id", "text")],
    credentials: [credential("verify_token", "secret", true), credential("page_access_token")],
    pairs: [],
  },
  x: { secret: "given", settings: [], credentials: OAUTH, pairs: [] },
  youtube: {
    secret: "generated",
    settings: [setting("channel_id", "channel", true)],
    credentials: [credential("api_key"), ...OAUTH],
    pairs: [],
  },
  trustpilot: { secret: "generated", settings: [setting("business_user_id", "text")], credentials: OAUTH, pairs: [] },
  zendesk: { secret: "given", settings: [], credentials: [], pairs: [] },
  hubspot: { secret: "given", settings: [], credentials: [], pairs: [] },
};

export function needsOf(platform: Platform): PlatformNeeds {
  return NEEDS[platform];
}

/** Every setting the form shows for a platform: its own, then the moderation callback URL. */
export function settingsOf(platform: Platform): readonly Need[] {
  return [...NEEDS[platform].settings, setting(CALLBACK_URL, "url")];
}

/** What the registration form holds. */
export interface SourceForm {
  platform: Platform;
  name: string;
  secret: string;
  settings: Record<string, string>;
  credentials: Record<string, string>;
}

export function emptySourceForm(platform: Platform = "standard-webhooks"): SourceForm {
  return { platform, name: "", secret: "", settings: {}, credentials: {} };
}

/** The field names of the form for a platform, as the API names them (`settings.site_url`). */
export function sourceFields(platform: Platform): string[] {
  return [
    "platform",
    "name",
    "secret",
    ...settingsOf(platform).map((s) => `settings.${s.name}`),
    ...NEEDS[platform].credentials.map((c) => `credentials.${c.name}`),
  ];
}

/** Only the values the platform takes, trimmed, the empty ones left out. */
function given(needs: readonly Need[], values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const need of needs) {
    const value = (values[need.name] ?? "").trim();
    if (value !== "") out[need.name] = value;
  }
  return out;
}

/** POST /admin/sources's body. */
export function sourceBody(form: SourceForm): CreateSourceRequest {
  const needs = NEEDS[form.platform];
  const body: CreateSourceRequest = { platform: form.platform, name: form.name.trim() };
  const secret = form.secret.trim();
  if (needs.secret === "given" && secret !== "") body.secret = secret;
  const settings = given(settingsOf(form.platform), form.settings);
  if (Object.keys(settings).length > 0) body.settings = settings;
  const credentials = given(needs.credentials, form.credentials);
  if (Object.keys(credentials).length > 0) body.credentials = credentials;
  return body;
}

/** What the form can tell before asking the API: a problem's field and its reason (an i18n key's last part). */
export interface SourceProblem {
  field: string;
  reason: "required" | "secretRequired" | "channel" | "pair" | "pairSetting" | "tooLong";
}

const YOUTUBE_CHANNEL = /^UC[A-Za-z0-9_-]{22}$/;

/** The first thing the form lacks, or null. The API checks everything again. */
export function checkSource(form: SourceForm): SourceProblem | null {
  const needs = NEEDS[form.platform];
  const name = form.name.trim();
  if (name === "") return { field: "name", reason: "required" };
  if (name.length > 200) return { field: "name", reason: "tooLong" };
  if (needs.secret === "given" && form.secret.trim() === "") return { field: "secret", reason: "secretRequired" };
  const body = sourceBody(form);
  for (const need of settingsOf(form.platform)) {
    const value = body.settings?.[need.name];
    if (need.required && value === undefined) return { field: `settings.${need.name}`, reason: "required" };
    if (need.kind === "channel" && typeof value === "string" && !YOUTUBE_CHANNEL.test(value)) {
      return { field: `settings.${need.name}`, reason: "channel" };
    }
  }
  for (const pair of needs.pairs) {
    const present = pair.names.filter((name) => body.credentials?.[name] !== undefined);
    if (present.length === 0) continue;
    const missing = pair.names.find((name) => body.credentials?.[name] === undefined);
    if (missing !== undefined) return { field: `credentials.${missing}`, reason: "pair" };
    if (body.settings?.[pair.setting] === undefined) return { field: `settings.${pair.setting}`, reason: "pairSetting" };
  }
  return null;
}

// Editing a registered source's credentials and settings (PUT /admin/sources/{id}/credentials).

/** What the edit form holds: the settings as shown (the saved ones to start with), the credentials typed (never the stored ones). */
export interface AccessForm {
  settings: Record<string, string>;
  credentials: Record<string, string>;
}

/** A saved setting as the form shows it: text as is, anything else (never expected) as JSON. */
function settingText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The form for a source: its settings as saved, no credential typed. */
export function accessForm(platform: Platform, saved: Readonly<Record<string, unknown>>): AccessForm {
  const settings: Record<string, string> = {};
  for (const need of settingsOf(platform)) settings[need.name] = settingText(saved[need.name]);
  return { settings, credentials: {} };
}

/** The edit form's field names, as the API names them. */
export function accessFields(platform: Platform): string[] {
  return [...settingsOf(platform).map((s) => `settings.${s.name}`), ...NEEDS[platform].credentials.map((c) => `credentials.${c.name}`)];
}

/**
 * PUT /admin/sources/{id}/credentials's body: the credentials typed (trimmed, the empty ones
 * kept as stored) and the settings changed from `saved` (a cleared one as null, which removes
 * it); null when nothing changed.
 */
export function accessBody(
  platform: Platform,
  saved: Readonly<Record<string, unknown>>,
  form: AccessForm,
): { credentials?: Record<string, string>; settings?: Record<string, string | null> } | null {
  const body: { credentials?: Record<string, string>; settings?: Record<string, string | null> } = {};
  const credentials = given(NEEDS[platform].credentials, form.credentials);
  if (Object.keys(credentials).length > 0) body.credentials = credentials;
  const settings: Record<string, string | null> = {};
  for (const need of settingsOf(platform)) {
    const before = settingText(saved[need.name]).trim();
    const now = (form.settings[need.name] ?? "").trim();
    if (now === before) continue;
    settings[need.name] = now === "" ? null : now;
  }
  if (Object.keys(settings).length > 0) body.settings = settings;
  return body.credentials === undefined && body.settings === undefined ? null : body;
}

/** What the edit form can tell before asking the API, given the credentials the source holds. */
export interface AccessProblem {
  field: string | null;
  reason: "nothing" | "required" | "channel" | "pair" | "pairSetting";
}

/** The first thing the edit would get wrong, or null. The API checks everything again. */
export function checkAccess(
  platform: Platform,
  saved: Readonly<Record<string, unknown>>,
  held: readonly string[],
  form: AccessForm,
): AccessProblem | null {
  const body = accessBody(platform, saved, form);
  if (body === null) return { field: null, reason: "nothing" };
  const setting = (name: string): string => (form.settings[name] ?? "").trim();
  for (const need of settingsOf(platform)) {
    const value = setting(need.name);
    if (need.required && value === "") return { field: `settings.${need.name}`, reason: "required" };
    if (need.kind === "channel" && value !== "" && body.settings?.[need.name] !== undefined && !YOUTUBE_CHANNEL.test(value)) {
      return { field: `settings.${need.name}`, reason: "channel" };
    }
  }
  for (const pair of NEEDS[platform].pairs) {
    const has = (name: string) => body.credentials?.[name] !== undefined || held.includes(name);
    if (!pair.names.some(has)) continue;
    const missing = pair.names.find((name) => !has(name));
    if (missing !== undefined) return { field: `credentials.${missing}`, reason: "pair" };
    if (setting(pair.setting) === "") return { field: `settings.${pair.setting}`, reason: "pairSetting" };
  }
  return null;
}
