import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import { copyText } from "./clipboard";
import { checkEndpoint, emptyEndpointForm, endpointBody, FIELDS, HANDLED, typesShown, withKind } from "./endpointForm";
import { fieldFor, formErrorFrom } from "./fieldErrors";
import {
  accessBody,
  accessFields,
  accessForm,
  checkAccess,
  checkSource,
  emptySourceForm,
  needsOf,
  PLATFORMS,
  settingsOf,
  sourceBody,
  sourceFields,
} from "./platforms";
import { eventCounts, EXPLAINED_CODES, explain, OUTCOME_MARKS, OUTCOMES, reasonCode } from "./receipts";
import en from "../i18n/en/setup.json";
import { checkRule, emptyRuleForm, keywordsOf, RULE_FIELDS, ruleBody, ruleForm } from "./ruleForm";
import { decisionsFor } from "./ReferralsPage";
import { telHref } from "./CallbacksPage";

describe("what each platform takes (functions/admin/src/platforms.rs)", () => {
  it("asks for the secret only where the platform issues it", () => {
    const given = PLATFORMS.filter((p) => needsOf(p).secret === "given");
    expect(given).toEqual(["shopify", "meta", "x", "zendesk", "hubspot"]);
  });

  it("has each platform's own credentials and settings, and the moderation callback URL everywhere", () => {
    const names = (p: (typeof PLATFORMS)[number]) => ({
      settings: settingsOf(p).map((s) => s.name),
      credentials: needsOf(p).credentials.map((c) => c.name),
    });
    expect(names("discourse")).toEqual({
      settings: ["instance_url", "moderation_callback_url"],
      credentials: ["api_key", "api_username"],
    });
    expect(names("woocommerce").credentials).toEqual(["consumer_key", "consumer_secret"]);
    expect(names("wordpress").credentials).toEqual(["username", "application_password"]);
    expect(names("meta")).toEqual({ settings: ["page_id", "instagram_account_id", "moderation_callback_url"], credentials: ["verify_token", "page_access_token"] });
    expect(names("x")).toEqual({
      settings: ["moderation_callback_url"],
      credentials: ["access_token", "refresh_token", "client_id", "client_secret"],
    });
    expect(names("youtube").settings).toEqual(["channel_id", "moderation_callback_url"]);
    expect(settingsOf("youtube")[0]?.required).toBe(true);
    expect(names("youtube").credentials).toEqual(["api_key", "access_token", "refresh_token", "client_id", "client_secret"]);
    expect(names("trustpilot").settings).toEqual(["business_user_id", "moderation_callback_url"]);
    expect(names("standard-webhooks").settings).toEqual(["reply_url", "moderation_callback_url"]);
    for (const p of ["shopify", "zendesk", "hubspot", "standard-webhooks"] as const) expect(names(p).credentials).toEqual([]);
    expect(sourceFields("discourse")).toEqual([
      "platform",
      "name",
      "secret",
      "settings.instance_url",
      "settings.moderation_callback_url",
      "credentials.api_key",
      "credentials.api_username",
    ]);
  });

  it("turns the form into POST /admin/sources's body: trimmed, empty values left out, only what the platform takes", () => {
    const form = {
      ...emptySourceForm("discourse"),
      name: "  Forum ",
      secret: "typed for another platform",
      settings: { instance_url: " https://forum.example ", moderation_callback_url: "", site_url: "https://not-discourse" },
      credentials: { api_key: " k".repeat(10), api_username: "", consumer_key: "ck_x" },
    };
    expect(sourceBody(form)).toEqual({
      platform: "discourse",
      name: "Forum",
      settings: { instance_url: "https://forum.example" },
      credentials: { api_key: " k".repeat(10).trim() },
    });
    expect(sourceBody({ ...emptySourceForm("shopify"), name: "Shop", secret: " shpss_0123456789 " })).toEqual({
      platform: "shopify",
      name: "Shop",
      secret: "shpss_0123456789",
    });
    expect(sourceBody({ ...emptySourceForm("discourse"), name: "Forum" })).toEqual({ platform: "discourse", name: "Forum" });
  });

  it("says what is missing before asking the API", () => {
    expect(checkSource(emptySourceForm("discourse"))).toEqual({ field: "name", reason: "required" });
    expect(checkSource({ ...emptySourceForm("discourse"), name: "Forum" })).toBeNull();
    expect(checkSource({ ...emptySourceForm("meta"), name: "Page" })).toEqual({ field: "secret", reason: "secretRequired" });
    expect(checkSource({ ...emptySourceForm("youtube"), name: "Channel" })).toEqual({ field: "settings.channel_id", reason: "required" });
    expect(checkSource({ ...emptySourceForm("youtube"), name: "C", settings: { channel_id: "UCshort" } })).toEqual({
      field: "settings.channel_id",
      reason: "channel",
    });
    expect(checkSource({ ...emptySourceForm("youtube"), name: "C", settings: { channel_id: "UCabcdefghijklmnopqrstuv" } })).toBeNull();
    const half = { ...emptySourceForm("woocommerce"), name: "Shop", credentials: { consumer_key: "ck_0123456789" } };
    expect(checkSource(half)).toEqual({ field: "credentials.consumer_secret", reason: "pair" });
    const whole = { ...half, credentials: { consumer_key: "ck_0123456789", consumer_secret: "cs_0123456789" } };
    expect(checkSource(whole)).toEqual({ field: "settings.site_url", reason: "pairSetting" });
    expect(checkSource({ ...whole, settings: { site_url: "https://shop.example" } })).toBeNull();
  });
});

describe("an endpoint's form", () => {
  it("shows each kind its own fields", () => {
    expect(FIELDS.webhook).toEqual(["url", "description", "types"]);
    expect(FIELDS.zendesk).toEqual(["url", "account", "token", "description", "types"]);
    expect(FIELDS.hubspot).toEqual(["url", "account", "token", "currency", "description", "types"]);
    expect(FIELDS.email).toEqual(["account", "description", "types"]);
    expect(FIELDS.slack).toEqual(["url", "description", "types"]);
    expect(HANDLED.zendesk).toEqual(["case.opened", "case.closed", "contact.erased"]);
    expect(HANDLED.teams).toHaveLength(6);
    expect(HANDLED.webhook).toHaveLength(17);
  });

  it("ticks nothing for a webhook and everything a connector handles, by default", () => {
    expect(typesShown(emptyEndpointForm("webhook"))).toEqual([]);
    expect(typesShown(emptyEndpointForm("zendesk"))).toEqual(["case.opened", "case.closed", "contact.erased"]);
  });

  it("turns the form into POST /admin/endpoints's body, per kind", () => {
    expect(
      endpointBody({ ...emptyEndpointForm("webhook"), url: " https://hooks.example/x ", types: ["case.opened", "case.closed"] }),
    ).toEqual({ kind: "webhook", url: "https://hooks.example/x", types: ["case.opened", "case.closed"] });
    expect(
      endpointBody({ ...emptyEndpointForm("hubspot"), account: " 12345 ", token: "pat-x", currency: "eur", description: " CRM " }),
    ).toEqual({
      kind: "hubspot",
      url: "https://api.hubapi.com",
      account: "12345",
      token: "pat-x",
      currency: "EUR",
      description: "CRM",
      types: ["opportunity.opened", "opportunity.closed", "contribution.classified", "contact.erased", "consent.changed"],
    });
    const email = endpointBody({ ...emptyEndpointForm("email"), url: "ignored", account: "sales@brand.example", types: ["callback.requested"] });
    expect(email).toEqual({ kind: "email", account: "sales@brand.example", types: ["callback.requested"] });
    expect(endpointBody({ ...emptyEndpointForm("slack"), url: "https://hooks.slack.com/services/T/B/x", token: "not sent" })).toEqual({
      kind: "slack",
      url: "https://hooks.slack.com/services/T/B/x",
      types: HANDLED.slack,
    });
  });

  it("drops what another kind does not take, and checks what is required", () => {
    const zendesk = { ...emptyEndpointForm("zendesk"), url: "https://brand.zendesk.com", account: "a@b.example", token: "secret" };
    const email = withKind(zendesk, "email");
    expect(email).toMatchObject({ kind: "email", url: "", account: "a@b.example", token: "", types: null });
    expect(withKind(emptyEndpointForm("webhook"), "hubspot").url).toBe("https://api.hubapi.com");
    expect(checkEndpoint(emptyEndpointForm("webhook"))).toEqual({ field: "url", reason: "required" });
    expect(checkEndpoint({ ...emptyEndpointForm("webhook"), url: "https://x.example" })).toEqual({ field: "types", reason: "types" });
    expect(checkEndpoint({ ...emptyEndpointForm("zendesk"), url: "https://z.example" })).toEqual({ field: "account", reason: "required" });
    expect(checkEndpoint({ ...emptyEndpointForm("email"), account: "a@b.example" })).toBeNull();
  });
});

describe("a rule's form", () => {
  it("turns into RuleSpec without the empty conditions and actions", () => {
    const form = {
      ...emptyRuleForm(),
      name: " Refunds ",
      order: "10",
      keywords: "remboursement\n refund , Refund\n\n",
      platforms: ["wordpress" as const],
      minInfluence: "12,5",
      label: "incident" as const,
      tag: " refund ",
      priority: "P1" as const,
    };
    expect(ruleBody(form)).toEqual({
      name: "Refunds",
      order: 10,
      enabled: true,
      when: { keywords: ["remboursement", "refund"], platforms: ["wordpress"], min_influence: 12.5 },
      then: { label: "incident", tag: "refund", priority: "P1" },
    });
    expect(keywordsOf(" a, b\nA ")).toEqual(["a", "b"]);
  });

  it("comes back from a stored rule", () => {
    const rule = {
      id: "rule_1",
      name: "VIP",
      order: -2,
      enabled: false,
      when: { pattern: "\\bvip\\b", min_influence: 50 },
      then: { route: "case" as const, owner: "marketing" as const },
      updated_at: "2026-01-01T00:00:00Z",
      updated_by: "camille",
    };
    const form = ruleForm(rule);
    expect(form).toMatchObject({ name: "VIP", order: "-2", enabled: false, pattern: "\\bvip\\b", minInfluence: "50", route: "case", owner: "marketing", label: "" });
    const { id: _id, updated_at: _at, updated_by: _by, ...spec } = rule;
    expect(ruleBody(form)).toEqual(spec);
  });

  it("says what is missing before asking the API", () => {
    expect(checkRule(emptyRuleForm())).toEqual({ field: "name", reason: "required" });
    expect(checkRule({ ...emptyRuleForm(), name: "x" })).toEqual({ field: "when", reason: "when" });
    expect(checkRule({ ...emptyRuleForm(), name: "x", pattern: "a" })).toEqual({ field: "then", reason: "then" });
    expect(checkRule({ ...emptyRuleForm(), name: "x", pattern: "a", order: "1.5" })).toEqual({ field: "order", reason: "number" });
    expect(checkRule({ ...emptyRuleForm(), name: "x", pattern: "a", minInfluence: "lots", tag: "t" })).toEqual({
      field: "when.min_influence",
      reason: "number",
    });
    expect(checkRule({ ...emptyRuleForm(), name: "x", keywords: "a", tag: "t" })).toBeNull();
  });
});

describe("an API error on a field", () => {
  it("goes to the field the API names, else its nearest parent, else above the form", () => {
    expect(fieldFor("when.pattern", RULE_FIELDS)).toBe("when.pattern");
    expect(fieldFor("when.keywords[3]", RULE_FIELDS)).toBe("when.keywords");
    expect(fieldFor("then", RULE_FIELDS)).toBe("then");
    expect(fieldFor("when.unknown", RULE_FIELDS)).toBe("when");
    expect(fieldFor("credentials.api_key", sourceFields("discourse"))).toBe("credentials.api_key");
    expect(fieldFor("credentials.moderation_callback_secret", sourceFields("discourse"))).toBeNull();
    expect(fieldFor("settings", sourceFields("discourse"))).toBeNull();
    expect(fieldFor("body", ["subject", "text"], { body: "text" })).toBe("text");
    expect(fieldFor(undefined, RULE_FIELDS)).toBeNull();
    expect(fieldFor("", RULE_FIELDS)).toBeNull();
  });

  it("keeps the API's words", () => {
    const error = new ApiError(400, "invalid_request", "not a pattern: unclosed group", "when.pattern");
    expect(formErrorFrom(error, RULE_FIELDS, (e) => (e as Error).message)).toEqual({
      field: "when.pattern",
      message: "not a pattern: unclosed group",
    });
    expect(formErrorFrom(new ApiError(409, "conflict", "at most 200 rules"), RULE_FIELDS, (e) => (e as Error).message)).toEqual({
      field: null,
      message: "at most 200 rules",
    });
  });
});

describe("copying", () => {
  it("uses the clipboard when it takes the text", async () => {
    const writeText = vi.fn(async () => undefined);
    const input = { focus: vi.fn(), select: vi.fn() } as unknown as HTMLInputElement;
    expect(await copyText("https://x/hooks/src_1", input, { writeText })).toBe("copied");
    expect(writeText).toHaveBeenCalledWith("https://x/hooks/src_1");
    expect(input.select).not.toHaveBeenCalled();
  });

  it("selects the text in its field when the clipboard is missing or refuses", async () => {
    const input = { focus: vi.fn(), select: vi.fn() } as unknown as HTMLInputElement;
    expect(await copyText("v", input, undefined)).toBe("selected");
    expect(input.focus).toHaveBeenCalled();
    expect(input.select).toHaveBeenCalled();
    const refusing = { writeText: vi.fn(async () => Promise.reject(new Error("NotAllowedError"))) };
    const other = { focus: vi.fn(), select: vi.fn() } as unknown as HTMLInputElement;
    expect(await copyText("v", other, refusing)).toBe("selected");
    expect(other.select).toHaveBeenCalled();
    expect(await copyText("v", null, {})).toBe("selected");
  });
});

describe("small rules of the screens", () => {
  it("offers the decisions a reward's state allows", () => {
    expect(decisionsFor("flagged")).toEqual(["clear", "reject"]);
    expect(decisionsFor("pending")).toEqual(["reject"]);
    expect(decisionsFor("approved")).toEqual(["paid", "reject"]);
    expect(decisionsFor("rejected")).toEqual([]);
    expect(decisionsFor("paid")).toEqual([]);
  });

  it("dials the phone number as given", () => {
    expect(telHref("+33 6 12 34 56 78")).toBe("tel:+33612345678");
  });
});

describe("a source's last deliveries, in words", () => {
  it("gives every outcome a word and its own mark, not only a colour", () => {
    const marks = OUTCOMES.map((o) => OUTCOME_MARKS[o]);
    expect(new Set(marks).size).toBe(OUTCOMES.length);
    for (const outcome of OUTCOMES) {
      expect(en.sources.received.outcomes[outcome], outcome).not.toBe("");
      expect(en.sources.received.outcomeHelp[outcome], outcome).not.toBe("");
    }
  });

  it("explains a refusal's code, with the field it names, and says an unknown code as it is", () => {
    expect(explain({ outcome: "accepted" })).toBeNull();
    expect(explain({ outcome: "ignored", error_code: "unauthorized" })).toBeNull();
    expect(explain({ outcome: "refused", error_code: "unauthorized" })).toEqual({ key: "unauthorized" });
    expect(explain({ outcome: "refused", error_code: "payload_too_large" })).toEqual({ key: "payload_too_large" });
    expect(explain({ outcome: "refused", error_code: "method_not_allowed" })).toEqual({ key: "method_not_allowed" });
    expect(explain({ outcome: "refused", error_code: "invalid_request", error_field: "data.text" })).toEqual({
      key: "invalid_requestField",
      field: "data.text",
    });
    expect(explain({ outcome: "refused", error_code: "invalid_request" })).toEqual({ key: "invalid_request" });
    expect(explain({ outcome: "refused", error_code: "teapot" })).toEqual({ key: "other", code: "teapot" });
    expect(explain({ outcome: "failed", error_code: "internal" })).toEqual({ key: "internal" });
    expect(explain({ outcome: "failed" })).toEqual({ key: "failedNoCode" });
    // Every code the API's errors have is explained (shared/src/kit/error.rs).
    for (const code of EXPLAINED_CODES) expect(en.sources.received.errors[code], code).not.toBe("");
    expect(en.sources.received.errors.unauthorized).toMatch(/^The signature did not match: check the secret on the platform/);
  });

  it("counts the events a delivery carried, new and already received, and reads an ignored reason's code", () => {
    expect(eventCounts({})).toEqual({ total: 0, fresh: 0, duplicate: 0 });
    expect(
      eventCounts({
        events: [
          { id: "a", duplicate: false },
          { id: "b", duplicate: true },
          { id: "c", duplicate: false },
        ],
      }),
    ).toEqual({ total: 3, fresh: 2, duplicate: 1 });
    expect(reasonCode("order_status: cancelled")).toBe("order_status");
    expect(reasonCode("unparseable")).toBe("unparseable");
  });
});

describe("editing a source's credentials and settings", () => {
  it("shows the saved settings, never a credential, and names the fields as the API does", () => {
    expect(accessForm("discourse", { instance_url: "https://forum.example", other: "x" })).toEqual({
      settings: { instance_url: "https://forum.example", moderation_callback_url: "" },
      credentials: {},
    });
    expect(accessFields("x")).toEqual([
      "settings.moderation_callback_url",
      "credentials.access_token",
      "credentials.refresh_token",
      "credentials.client_id",
      "credentials.client_secret",
    ]);
    expect(accessFields("hubspot")).toEqual(["settings.moderation_callback_url"]);
  });

  it("sends only what changed: credentials typed, settings changed, a cleared setting as null", () => {
    const saved = { instance_url: "https://forum.example" };
    const form = accessForm("discourse", saved);
    expect(accessBody("discourse", saved, form)).toBeNull();
    expect(accessBody("discourse", saved, { ...form, settings: { ...form.settings, instance_url: " https://forum.example " } })).toBeNull();
    expect(
      accessBody("discourse", saved, {
        settings: { instance_url: "", moderation_callback_url: " https://brand.example/cb " },
        credentials: { api_key: " new-key-0123 ", api_username: "", consumer_key: "not discourse's" },
      }),
    ).toEqual({
      credentials: { api_key: "new-key-0123" },
      settings: { instance_url: null, moderation_callback_url: "https://brand.example/cb" },
    });
  });

  it("says what is wrong before asking the API, counting the credentials already held", () => {
    const none = accessForm("woocommerce", {});
    expect(checkAccess("woocommerce", {}, [], none)).toEqual({ field: null, reason: "nothing" });
    const key = { ...none, credentials: { consumer_key: "ck_0123456789" } };
    expect(checkAccess("woocommerce", {}, [], key)).toEqual({ field: "credentials.consumer_secret", reason: "pair" });
    // The other half is held: only the site is missing.
    expect(checkAccess("woocommerce", {}, ["consumer_secret"], key)).toEqual({ field: "settings.site_url", reason: "pairSetting" });
    expect(checkAccess("woocommerce", { site_url: "https://shop.example" }, ["consumer_secret"], { ...key, settings: { site_url: "https://shop.example" } })).toBeNull();
    // Clearing the site of a held login is refused too.
    const saved = { site_url: "https://shop.example" };
    expect(
      checkAccess("woocommerce", saved, ["consumer_key", "consumer_secret"], { credentials: {}, settings: { site_url: "", moderation_callback_url: "" } }),
    ).toEqual({ field: "settings.site_url", reason: "pairSetting" });
    const youtube = accessForm("youtube", { channel_id: "UCabcdefghijklmnopqrstuv" });
    expect(checkAccess("youtube", { channel_id: "UCabcdefghijklmnopqrstuv" }, [], { ...youtube, settings: { ...youtube.settings, channel_id: "" } })).toEqual({
      field: "settings.channel_id",
      reason: "required",
    });
    expect(checkAccess("youtube", { channel_id: "UCabcdefghijklmnopqrstuv" }, [], { ...youtube, settings: { ...youtube.settings, channel_id: "UCshort" } })).toEqual({
      field: "settings.channel_id",
      reason: "channel",
    });
    expect(checkAccess("youtube", {}, [], { ...youtube, credentials: { api_key: "AIza0123456789" } })).toBeNull();
  });
});
