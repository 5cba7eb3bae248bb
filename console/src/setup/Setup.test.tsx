// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetSessionForTests } from "../auth/session";
import { json, renderConsole, type Respond } from "../test/render";
import type { Conversion, Rule, Source, TemplateView } from "./queries";

afterEach(() => {
  cleanup();
  resetSessionForTests();
  vi.unstubAllGlobals();
});

const NOW = "2026-12-07T10:00:00Z";

function aSource(overrides: Partial<Source> = {}): Source {
  return {
    id: "src_forum",
    platform: "discourse",
    name: "Forum",
    created_at: NOW,
    webhook_url: "http://127.0.0.1:3000/hooks/src_forum",
    settings: {},
    secrets: [{ created_at: NOW, expires_at: null }],
    credentials: [],
    ...overrides,
  };
}

/** A fake API answering by method and path. */
function api(routes: Record<string, (body: unknown, request: Request) => Response>): Respond {
  return (request, body) => {
    const { pathname } = new URL(request.url);
    const route = routes[`${request.method} ${pathname}`];
    return route !== undefined ? route(body, request) : json({ error: { code: "not_found", message: "No such route." } }, 404);
  };
}

function navLinks() {
  return within(screen.getByRole("navigation", { name: "Main" }))
    .queryAllByRole("link")
    .map((link) => link.textContent);
}

describe("who sees the setup screens", () => {
  it("gives each group the screens its API routes allow", () => {
    const admin = renderConsole({ groups: ["liaison-admin"], path: "/rules", respond: api({ "GET /admin/rules": () => json({ rules: [] }) }) });
    expect(navLinks()).toEqual(expect.arrayContaining(["Sources", "Connections", "Rules", "Email templates", "Callbacks", "Referrals"]));
    admin.unmount();
    resetSessionForTests();
    renderConsole({ groups: ["liaison-support"], path: "/rules", respond: api({ "GET /admin/rules": () => json({ rules: [] }) }) });
    const links = navLinks();
    expect(links).toContain("Rules");
    for (const hidden of ["Sources", "Connections", "Email templates", "Callbacks", "Referrals"]) expect(links).not.toContain(hidden);
  });

  it("says “not found” to a support agent at /sources, and asks the API nothing", async () => {
    const { requests } = renderConsole({ groups: ["liaison-support"], path: "/sources" });
    expect(await screen.findByRole("heading", { level: 1, name: "Page not found" })).toBeDefined();
    expect(requests.filter((r) => r.path.startsWith("/admin/sources"))).toEqual([]);
  });
});

describe("registering a source", () => {
  it("sends the platform's fields, shows its steps, the URL to copy and the secret once", async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    const { requests, queryClient } = renderConsole({
      groups: ["liaison-admin"],
      path: "/sources/new",
      respond: api({
        "POST /admin/sources": () => json({ ...aSource(), secret: "s3cr3t-generated-value" }, 201),
        "GET /admin/sources": () => json({ sources: [aSource()], next: null }),
      }),
    });
    await user.click(await screen.findByRole("radio", { name: "Discourse" }));
    const steps = screen.getByRole("region", { name: "Set it up on Discourse" });
    expect(within(steps).getByText("In Discourse: Admin > API > Webhooks > New webhook.")).toBeDefined();
    expect(screen.queryByRole("textbox", { name: /Signing secret/ })).toBeNull();
    await user.type(screen.getByRole("textbox", { name: "Name" }), "Forum");
    await user.type(screen.getByRole("textbox", { name: /Forum URL/ }), "https://forum.example");
    await user.click(screen.getByRole("button", { name: "Register the source" }));

    expect(await screen.findByRole("heading", { level: 1, name: "“Forum” is registered" })).toBeDefined();
    expect(requests.find((r) => r.method === "POST")?.body).toEqual({
      platform: "discourse",
      name: "Forum",
      settings: { instance_url: "https://forum.example" },
    });
    const secret = screen.getByRole("region", { name: "Copy it now: it will not be shown again" });
    expect(within(secret).getByText(/will never show it again/)).toBeDefined();
    expect((within(secret).getByRole("textbox", { name: "Signing secret" }) as HTMLInputElement).value).toBe("s3cr3t-generated-value");
    expect(screen.getByRole("region", { name: "Set it up on Discourse" })).toBeDefined();

    const url = screen.getByRole("textbox", { name: "Webhook URL" }) as HTMLInputElement;
    expect(url.readOnly).toBe(true);
    expect(url.value).toBe("http://127.0.0.1:3000/hooks/src_forum");
    await user.click(screen.getByRole("button", { name: "Copy Webhook URL" }));
    expect(writeText).toHaveBeenCalledWith("http://127.0.0.1:3000/hooks/src_forum");
    expect(await screen.findByText("Copied to the clipboard.")).toBeDefined();

    await user.click(within(secret).getByRole("button", { name: "I have copied it" }));
    expect(screen.queryByText("s3cr3t-generated-value")).toBeNull();
    expect(screen.queryByDisplayValue("s3cr3t-generated-value")).toBeNull();
    // Nothing kept: no mutation nor query holds the secret any more.
    await waitFor(() => expect(JSON.stringify(queryClient.getMutationCache().getAll().map((m) => m.state.data))).not.toContain("s3cr3t"));
    expect(JSON.stringify(queryClient.getQueryCache().getAll().map((q) => q.state.data))).not.toContain("s3cr3t");
  });

  it("selects the URL when the clipboard refuses", async () => {
    const user = userEvent.setup();
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText: async () => Promise.reject(new Error("denied")) } });
    renderConsole({ groups: ["liaison-admin"], path: "/sources/src_forum", respond: api({
      "GET /admin/sources/src_forum": () => json(aSource()),
      "GET /admin/sources/src_forum/ignored": () => json({ ignored: [] }),
    }) });
    await user.click(await screen.findByRole("button", { name: "Copy Webhook URL" }));
    expect(await screen.findByText(/the text is selected/)).toBeDefined();
    expect(document.activeElement).toBe(screen.getByRole("textbox", { name: "Webhook URL" }));
  });

  it("asks for the secret a platform issues, and puts the API's error on the field it names", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-admin"],
      path: "/sources/new",
      respond: api({
        "POST /admin/sources": () =>
          json({ error: { code: "invalid_request", message: "must be 8 to 2048 characters, without control characters", field: "secret" } }, 400),
      }),
    });
    await user.click(await screen.findByRole("radio", { name: "Shopify" }));
    await user.type(screen.getByRole("textbox", { name: "Name" }), "Shop");
    await user.click(screen.getByRole("button", { name: "Register the source" }));
    const secret = screen.getByRole("textbox", { name: /Signing secret/ });
    expect(secret.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("Required: this platform issues the secret; paste it here.")).toBeDefined();
    expect(requests.filter((r) => r.method === "POST")).toEqual([]);
    await user.type(secret, "short");
    await user.click(screen.getByRole("button", { name: "Register the source" }));
    expect(await screen.findByText("must be 8 to 2048 characters, without control characters")).toBeDefined();
    expect(screen.getByRole("textbox", { name: /Signing secret/ }).getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("alert").textContent).toBe("Please correct the highlighted field.");
  });
});

describe("in French", () => {
  it("gives the platform's steps and fields in French", async () => {
    const user = userEvent.setup();
    renderConsole({ groups: ["liaison-admin"], path: "/sources/new", language: "fr" });
    await user.click(await screen.findByRole("radio", { name: "Discourse" }));
    const steps = screen.getByRole("region", { name: "La configurer sur Discourse" });
    expect(within(steps).getByText("Dans Discourse : Admin > API > Webhooks > Nouveau webhook.")).toBeDefined();
    expect(screen.getByRole("textbox", { name: /URL du forum/ })).toBeDefined();
    expect(screen.getByRole("button", { name: "Enregistrer la source" })).toBeDefined();
  });
});

describe("a source's page", () => {
  it("shows what was ignored and why, and rotates the secret, showing the new one once", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-admin"],
      path: "/sources/src_forum",
      respond: api({
        "GET /admin/sources/src_forum": () => json(aSource({ credentials: ["api_key"], settings: { instance_url: "https://forum.example" } })),
        "GET /admin/sources/src_forum/ignored": () =>
          json({
            ignored: [
              {
                id: "ign_1",
                received_at: NOW,
                event: "topic_created",
                reasons: ["unsupported_event: topic_created"],
                body: '{"topic":{}}',
                body_base64: false,
              },
            ],
          }),
        "POST /admin/sources/src_forum/rotate": () =>
          json({ id: "src_forum", rotated_at: NOW, previous_secret_valid_until: "2026-12-07T11:00:00Z", secret: "new-generated-secret" }),
      }),
    });
    const health = await screen.findByRole("region", { name: "Is my webhook working?" });
    expect(await within(health).findByText("topic_created")).toBeDefined();
    expect(within(health).getByText("Liaison does not act on this event or topic.")).toBeDefined();
    expect(within(health).getByText(/Last delivery received and ignored/)).toBeDefined();
    expect(screen.getByText("API key")).toBeDefined();

    await user.click(screen.getByRole("button", { name: "Rotate the secret" }));
    expect(await screen.findByDisplayValue("new-generated-secret")).toBeDefined();
    expect(screen.getByText(/The previous secret is accepted until/)).toBeDefined();
    expect(requests.find((r) => r.method === "POST")?.body).toEqual({});
    await user.click(screen.getByRole("button", { name: "I have copied it" }));
    expect(screen.queryByDisplayValue("new-generated-secret")).toBeNull();
  });

  it("says a missing source is not found", async () => {
    renderConsole({ groups: ["liaison-admin"], path: "/sources/src_gone", respond: api({}) });
    expect(await screen.findByText("This source does not exist (or was deleted).")).toBeDefined();
  });
});

describe("connections", () => {
  it("registers a webhook with its events and shows its secret once", async () => {
    const user = userEvent.setup();
    const endpoint = {
      id: "ep_1",
      kind: "webhook",
      url: "https://hooks.example/liaison",
      account: null,
      currency: null,
      token_set: false,
      description: "",
      types: ["case.opened"],
      enabled: true,
      disabled_reason: null,
      disabled_at: null,
      secrets: [{ created_at: NOW, expires_at: null }],
      created_at: NOW,
      updated_at: NOW,
    };
    const { requests } = renderConsole({
      groups: ["liaison-admin"],
      path: "/endpoints/new",
      respond: api({
        "POST /admin/endpoints": () => json({ ...endpoint, secret: "whsec_abcdefghijklmnop" }, 201),
        "GET /admin/endpoints": () => json({ endpoints: [endpoint], event_types: [] }),
      }),
    });
    await user.type(await screen.findByRole("textbox", { name: "URL" }), "https://hooks.example/liaison");
    await user.click(screen.getByRole("button", { name: "Add the connection" }));
    expect(screen.getByText("Choose at least one event.")).toBeDefined();
    await user.click(screen.getByRole("checkbox", { name: /A case opened/ }));
    await user.click(screen.getByRole("button", { name: "Add the connection" }));
    expect(await screen.findByDisplayValue("whsec_abcdefghijklmnop")).toBeDefined();
    expect(requests.find((r) => r.method === "POST")?.body).toEqual({
      kind: "webhook",
      url: "https://hooks.example/liaison",
      types: ["case.opened"],
    });
  });

  it("sends a test, replays, and shows the delivery log with status, attempts, latency and answer", async () => {
    const user = userEvent.setup();
    const endpoint = {
      id: "ep_1",
      kind: "zendesk",
      url: "https://brand.zendesk.com",
      account: "agent@brand.example",
      currency: null,
      token_set: true,
      description: "Helpdesk",
      types: ["case.opened"],
      enabled: false,
      disabled_reason: "deliveries failed for three days; the last attempt got HTTP 503",
      disabled_at: NOW,
      secrets: [],
      created_at: NOW,
      updated_at: NOW,
    };
    const { requests } = renderConsole({
      groups: ["liaison-admin"],
      path: "/endpoints/ep_1",
      respond: api({
        "GET /admin/endpoints/ep_1": () => json(endpoint),
        "GET /admin/endpoints/ep_1/deliveries": () =>
          json({
            deliveries: [
              {
                event_id: "evt_1",
                type: "case.opened",
                status: "dead",
                attempts: 9,
                last_attempt: { at: NOW, status: 503, latency_ms: 1234, response: "Service Unavailable" },
              },
            ],
            next: null,
          }),
        "POST /admin/endpoints/ep_1/test": () => json({ event_id: "evt_t", log: "/admin/endpoints/ep_1/deliveries" }, 202),
        "POST /admin/endpoints/ep_1/replay": () => json({ replayed: 1 }),
        "PATCH /admin/endpoints/ep_1": (body) => json({ ...endpoint, ...(body as object) }),
      }),
    });
    expect(await screen.findByRole("heading", { level: 1, name: "Helpdesk" })).toBeDefined();
    expect(screen.getByText(/Disabled .*: deliveries failed for three days/)).toBeDefined();
    expect(screen.queryByRole("button", { name: "Rotate the secret" })).toBeNull();
    const log = screen.getByRole("region", { name: "Delivery log" });
    expect(await within(log).findByText("HTTP 503")).toBeDefined();
    expect(within(log).getByText("1,234 ms")).toBeDefined();
    expect(within(log).getByText("9")).toBeDefined();
    expect(within(log).getByText("Service Unavailable")).toBeDefined();
    expect(within(within(log).getByRole("listitem")).getByText("Dead")).toBeDefined();

    await user.click(screen.getByRole("button", { name: "Send a test" }));
    expect(await screen.findByText(/A test event was sent/)).toBeDefined();
    await user.click(screen.getByRole("button", { name: "Replay" }));
    expect(await screen.findByText("1 delivery put back; the connection is enabled.")).toBeDefined();
    await user.click(screen.getByRole("button", { name: "Enable" }));
    await waitFor(() => expect(requests.find((r) => r.method === "PATCH")?.body).toEqual({ enabled: true }));
    expect(requests.find((r) => r.path.endsWith("/replay"))?.body).toEqual({ status: "dead" });
  });
});

function aRule(overrides: Partial<Rule> = {}): Rule {
  return {
    id: "rule_1",
    name: "Refunds",
    order: 1,
    enabled: true,
    when: { keywords: ["refund"] },
    then: { label: "incident", priority: "P1" },
    updated_at: NOW,
    updated_by: "camille",
    ...overrides,
  };
}

describe("rules", () => {
  it("lists them in order with their conditions and actions, and deletes one after asking", async () => {
    const user = userEvent.setup();
    let rules = [aRule(), aRule({ id: "rule_2", name: "VIP", order: 5, when: { min_influence: 50, pattern: "vip" }, then: { route: "case" } })];
    const { requests } = renderConsole({
      groups: ["liaison-support"],
      path: "/rules",
      respond: api({
        "GET /admin/rules": () => json({ rules }),
        "DELETE /admin/rules/rule_2": () => {
          rules = rules.filter((r) => r.id !== "rule_2");
          return new Response(null, { status: 204 });
        },
      }),
    });
    const items = await screen.findAllByRole("article");
    expect(items).toEqual([screen.getByRole("article", { name: "Refunds" }), screen.getByRole("article", { name: "VIP" })]);
    expect(within(items[0]!).getByText("keywords: “refund”")).toBeDefined();
    expect(within(items[0]!).getByText("label Incident · priority P1")).toBeDefined();
    expect(within(items[1]!).getByText("routed to a case")).toBeDefined();
    await user.click(within(items[1]!).getByRole("button", { name: "Delete" }));
    await user.click(within(items[1]!).getByRole("button", { name: "Yes, delete" }));
    expect(await screen.findByText("The rule “VIP” was deleted.")).toBeDefined();
    expect(requests.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual(["/admin/rules/rule_2"]);
  });

  it("creates one, and shows the API's refusal on the field it names", async () => {
    const user = userEvent.setup();
    let attempt = 0;
    const { requests, router } = renderConsole({
      groups: ["liaison-support"],
      path: "/rules/new",
      respond: api({
        "POST /admin/rules": (body) => {
          attempt += 1;
          return attempt === 1
            ? json({ error: { code: "invalid_request", message: "not a pattern: unclosed group", field: "when.pattern" } }, 400)
            : json({ ...aRule(), ...(body as object), id: "rule_9" }, 201);
        },
        "GET /admin/rules": () => json({ rules: [aRule({ name: "Broken things" })] }),
      }),
    });
    await user.type(await screen.findByRole("textbox", { name: "Name" }), "Broken things");
    await user.click(screen.getByRole("button", { name: "Save the rule" }));
    expect(screen.getByText("Give keywords or a pattern.")).toBeDefined();
    await user.type(screen.getByRole("textbox", { name: /Pattern/ }), "(broken");
    await user.selectOptions(screen.getByRole("combobox", { name: "Priority" }), "P2");
    await user.click(screen.getByRole("button", { name: "Save the rule" }));
    const pattern = await screen.findByRole("textbox", { name: /Pattern/ });
    await waitFor(() => expect(pattern.getAttribute("aria-invalid")).toBe("true"));
    expect(screen.getByText("not a pattern: unclosed group")).toBeDefined();
    await waitFor(() => expect(document.activeElement).toBe(pattern));
    await user.clear(pattern);
    await user.type(pattern, "broken|cassé");
    expect(pattern.getAttribute("aria-invalid")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Save the rule" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/rules"));
    expect(await screen.findByText("The rule “Broken things” was saved.")).toBeDefined();
    expect(requests.filter((r) => r.method === "POST").at(-1)?.body).toEqual({
      name: "Broken things",
      order: 0,
      enabled: true,
      when: { pattern: "broken|cassé" },
      then: { priority: "P2" },
    });
  });
});

describe("the verification email", () => {
  const view: TemplateView = {
    name: "verification",
    variables: [
      { name: "name", sample: "Camille", required: false },
      { name: "link", sample: "https://liaison.example/t/verify/SAMPLE", required: true },
    ],
    fr: { subject: "Confirmez", text: "Bonjour,\n{{ link }}", custom: true, updated_at: NOW, updated_by: "camille" },
    en: { subject: "Confirm", text: "Hello,\n{{ link }}", custom: false },
  };

  it("edits a language's wording, shows the saved text, and resets it to the default", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-marketer"],
      path: "/templates",
      respond: api({
        "GET /admin/templates/verification": () => json(view),
        "PUT /admin/templates/verification/fr": (body) =>
          (body as { text: string }).text.includes("{{ link }}")
            ? json({ name: "verification", language: "fr", ...(body as object), custom: true })
            : json({ error: { code: "invalid_request", message: "must show {{ link }}", field: "text" } }, 400),
        "DELETE /admin/templates/verification/fr": () => new Response(null, { status: 204 }),
      }),
    });
    const panel = await screen.findByRole("tabpanel");
    expect(within(panel).getByText(/Your wording, saved/)).toBeDefined();
    expect(within(panel).getByText("{{ link }}")).toBeDefined();
    const body = within(panel).getByRole("textbox", { name: "Body" });
    await user.clear(body);
    await user.type(body, "Sans lien");
    await user.click(within(panel).getByRole("button", { name: "Save the French wording" }));
    expect(await within(panel).findByText("must show {{ link }}")).toBeDefined();
    expect(body.getAttribute("aria-invalid")).toBe("true");
    await user.click(within(panel).getByRole("button", { name: "Reset to the default" }));
    await user.click(within(panel).getByRole("button", { name: "Reset to the default" }));
    expect(await screen.findByText("The default wording applies again.")).toBeDefined();
    expect(requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`)).toEqual([
      "PUT /admin/templates/verification/fr",
      "DELETE /admin/templates/verification/fr",
    ]);
    await user.click(screen.getByRole("tab", { name: "English" }));
    expect(within(screen.getByRole("tabpanel")).getByText("Liaison’s default wording.")).toBeDefined();
  });
});

describe("callbacks", () => {
  it("gives the number as a tel: link with the slot, and marks a request done", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-sales"],
      path: "/callbacks",
      language: "fr",
      respond: api({
        "GET /admin/callbacks": () =>
          json({
            callbacks: [{ id: "cb_1", status: "open", created_at: NOW, phone: "+33612345678", slot: "evening", campaign_id: "cmp_1", step: 2 }],
            next: null,
          }),
        "PATCH /admin/callbacks/cb_1": (body) => json({ id: "cb_1", status: "done", created_at: NOW, ...(body as object) }),
      }),
    });
    const link = await screen.findByRole("link", { name: "Appeler le +33612345678" });
    expect(link.getAttribute("href")).toBe("tel:+33612345678");
    expect(screen.getByText("Le soir")).toBeDefined();
    expect(screen.getByText("cmp_1")).toBeDefined();
    await user.type(screen.getByRole("textbox", { name: /Note/ }), "Rappelé, commande passée");
    await user.click(screen.getByRole("button", { name: "Marquer fait" }));
    expect(await screen.findByText("Marqué fait : +33612345678.")).toBeDefined();
    expect(requests.find((r) => r.method === "PATCH")?.body).toEqual({ status: "done", note: "Rappelé, commande passée" });
  });
});

describe("referral conversions", () => {
  const flagged: Conversion = {
    id: "rc_1",
    referrer: "ct_ref",
    referred: "ct_buyer",
    code: "CAMILLE10",
    via: "code",
    source_id: "src_shop",
    order_id: "1184",
    currency: "EUR",
    total: "120.00",
    reward: "10.00",
    placed_at: NOW,
    recorded_at: NOW,
    approve_at: NOW,
    state: "flagged",
    flags: [{ rule: "same_address", detail: "the buyer shares the referrer's address" }],
  };

  it("filters by state, shows the flags, and clears one", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-marketer"],
      path: "/referrals",
      respond: api({
        "GET /admin/referrals/conversions": () => json({ conversions: [flagged], next: null }),
        "PATCH /admin/referrals/conversions/rc_1": () => json({ ...flagged, state: "pending" }),
      }),
    });
    const item = await screen.findByRole("article", { name: "Conversion of order 1184" });
    expect(within(item).getByText("€120.00")).toBeDefined();
    expect(within(item).getByText("same_address")).toBeDefined();
    await user.click(screen.getByRole("radio", { name: "Flagged" }));
    await waitFor(() => expect(requests.at(-1)?.query.state).toBe("flagged"));
    await user.click(within(await screen.findByRole("article")).getByRole("button", { name: "Approve (clear the flag)" }));
    expect(await screen.findByText("The flag was cleared: the reward is pending again.")).toBeDefined();
    expect(requests.find((r) => r.method === "PATCH")?.body).toEqual({ decision: "clear" });
  });

  it("lets sales read but not decide", async () => {
    renderConsole({
      groups: ["liaison-sales"],
      path: "/referrals",
      respond: api({ "GET /admin/referrals/conversions": () => json({ conversions: [flagged], next: null }) }),
    });
    const item = await screen.findByRole("article", { name: "Conversion of order 1184" });
    expect(within(item).queryAllByRole("button")).toEqual([]);
    expect(screen.getByText(/administrators and marketers decide/)).toBeDefined();
  });
});
