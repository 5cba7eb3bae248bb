// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetSessionForTests } from "../auth/session";
import { json, renderConsole, type Respond } from "../test/render";
import type { Conversion, Receipt, Rule, Source, TemplateView } from "./queries";

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
        "GET /admin/sources/src_forum/received": () => json({ received: [], next: null }),
        "POST /admin/sources/src_forum/rotate": () =>
          json({ id: "src_forum", rotated_at: NOW, previous_secret_valid_until: "2026-12-07T11:00:00Z", secret: "new-generated-secret" }),
      }),
    });
    const health = await screen.findByRole("region", { name: "Ignored deliveries" });
    expect(await within(health).findByText("topic_created")).toBeDefined();
    expect(within(health).getByText("Liaison does not act on this event or topic.")).toBeDefined();
    expect(within(health).getByText(/Last delivery received and ignored/)).toBeDefined();
    expect(within(screen.getByRole("region", { name: "Signing secrets" })).getByText("API key")).toBeDefined();

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

function aReceipt(overrides: Partial<Receipt> & Pick<Receipt, "id" | "outcome" | "status">): Receipt {
  return { received_at: NOW, platform: "standard-webhooks", ...overrides };
}

describe("a source's last deliveries", () => {
  const source = aSource({ id: "src_blog", platform: "standard-webhooks", name: "Blog", webhook_url: "http://127.0.0.1:3000/hooks/src_blog" });

  it("shows each delivery's outcome in words, its status, event and events, explains refusals, and loads more", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-admin"],
      path: "/sources/src_blog",
      respond: api({
        "GET /admin/sources/src_blog": () => json(source),
        "GET /admin/sources/src_blog/ignored": () => json({ ignored: [] }),
        "GET /admin/sources/src_blog/received": (_body, request) =>
          new URL(request.url).searchParams.get("after") === "cursor-2"
            ? json({
                received: [aReceipt({ id: "r5", outcome: "failed", status: 503, error_code: "unavailable" })],
                next: null,
              })
            : json({
                received: [
                  aReceipt({
                    id: "r1",
                    outcome: "accepted",
                    status: 202,
                    event: "contribution.created",
                    events: [
                      { id: "evt_1", duplicate: false },
                      { id: "evt_2", duplicate: true },
                    ],
                  }),
                  aReceipt({ id: "r2", outcome: "refused", status: 401, error_code: "unauthorized" }),
                  aReceipt({ id: "r3", outcome: "refused", status: 400, error_code: "invalid_request", error_field: "data.text" }),
                  aReceipt({ id: "r4", outcome: "ignored", status: 200, event: "order.updated", ignored: ["order_status: cancelled"] }),
                  aReceipt({ id: "r6", outcome: "refused", status: 418, error_code: "teapot" }),
                ],
                next: "cursor-2",
              }),
      }),
    });
    const log = await screen.findByRole("region", { name: "Last deliveries" });
    await within(log).findByText("contribution.created");
    const items = [...log.querySelectorAll<HTMLElement>("ul.items > li")];
    expect(items).toHaveLength(5);
    const [accepted, unauthorized, invalid, ignored, unknown] = items as [HTMLElement, HTMLElement, HTMLElement, HTMLElement, HTMLElement];

    expect(within(accepted).getByText("Accepted")).toBeDefined();
    expect(within(accepted).getByText("HTTP 202")).toBeDefined();
    expect(within(accepted).getByText("contribution.created")).toBeDefined();
    expect(within(accepted).getByText("2 events: 1 new, 1 already received")).toBeDefined();
    // When: how long ago, and the date itself.
    const time = within(accepted).getByText(/ago|just now/);
    expect(time.closest("time")?.getAttribute("dateTime")).toBe(NOW);
    expect(time.closest("time")?.textContent).toMatch(/2026/);

    expect(within(unauthorized).getByText("Refused")).toBeDefined();
    expect(within(unauthorized).getByText("HTTP 401")).toBeDefined();
    expect(within(unauthorized).getByText(/The signature did not match: check the secret on the platform/)).toBeDefined();
    expect(within(unauthorized).getByText("none given")).toBeDefined();
    expect(within(invalid).getByText(/the field data\.text is missing or wrong/)).toBeDefined();
    expect(within(ignored).getByText("Ignored")).toBeDefined();
    expect(within(ignored).getByText("An order status Liaison does not act on.", { exact: false })).toBeDefined();
    expect(within(ignored).getByText("order_status: cancelled")).toBeDefined();
    expect(within(unknown).getByText("Refused with the code teapot.")).toBeDefined();
    // The badge's mark is decoration: the word says the outcome.
    expect(within(unauthorized).getByText("✕").getAttribute("aria-hidden")).toBe("true");

    expect(within(log).getByText(/recorded at most once every 10 seconds/)).toBeDefined();
    expect(within(log).getByRole("link", { name: /See what was ignored/ }).getAttribute("href")).toBe("#source-ignored");
    expect(document.getElementById("source-ignored")).not.toBeNull();

    await user.click(within(log).getByRole("button", { name: "Show more" }));
    expect(await within(log).findByText("Failed")).toBeDefined();
    expect(within(log).getByText("Liaison was briefly unavailable: the platform sends it again.")).toBeDefined();
    const pages = requests.filter((r) => r.path === "/admin/sources/src_blog/received").map((r) => r.query);
    expect(pages).toEqual([{ limit: "50" }, { limit: "50", after: "cursor-2" }]);
    expect(within(log).queryByRole("button", { name: "Show more" })).toBeNull();
  });

  it("tells the owner what to do when nothing came, and reads again on demand", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-admin"],
      path: "/sources/src_blog",
      language: "fr",
      respond: api({
        "GET /admin/sources/src_blog": () => json(source),
        "GET /admin/sources/src_blog/ignored": () => json({ ignored: [] }),
        "GET /admin/sources/src_blog/received": () => json({ received: [], next: null }),
      }),
    });
    const log = await screen.findByRole("region", { name: "Derniers envois" });
    expect(await within(log).findByText(/Aucun envoi ces 7 derniers jours : envoyez un test depuis la plateforme/)).toBeDefined();
    const reads = () => requests.filter((r) => r.path === "/admin/sources/src_blog/received").length;
    expect(reads()).toBe(1);
    await user.click(within(log).getByRole("button", { name: "Actualiser" }));
    await waitFor(() => expect(reads()).toBe(2));
    expect(await within(log).findByRole("button", { name: "Actualiser" })).toBeDefined();
  });

  it("says why the list could not be read, in the API's words", async () => {
    renderConsole({
      groups: ["liaison-admin"],
      path: "/sources/src_blog",
      respond: api({
        "GET /admin/sources/src_blog": () => json(source),
        "GET /admin/sources/src_blog/ignored": () => json({ ignored: [] }),
        "GET /admin/sources/src_blog/received": () => json({ error: { code: "unavailable", message: "DynamoDB is throttling; retry." } }, 503),
      }),
    });
    const log = await screen.findByRole("region", { name: "Last deliveries" });
    expect(await within(log).findByText(/DynamoDB is throttling; retry\./)).toBeDefined();
  });
});

describe("editing a source's credentials", () => {
  function pageOf(source: Source, put: (body: unknown) => Response) {
    return renderConsole({
      groups: ["liaison-admin"],
      path: `/sources/${source.id}`,
      respond: api({
        [`GET /admin/sources/${source.id}`]: () => json(source),
        [`GET /admin/sources/${source.id}/ignored`]: () => json({ ignored: [] }),
        [`GET /admin/sources/${source.id}/received`]: () => json({ received: [], next: null }),
        [`PUT /admin/sources/${source.id}/credentials`]: (body) => put(body),
      }),
    });
  }

  it("offers the platform's credentials, never filled, says which are set, and puts the API's error on its field", async () => {
    const user = userEvent.setup();
    let attempt = 0;
    const { requests } = pageOf(aSource({ credentials: ["api_key"], settings: { instance_url: "https://forum.example" } }), () => {
      attempt += 1;
      return attempt === 1
        ? json({ error: { code: "invalid_request", message: "must be 1 to 255 characters, without control characters", field: "credentials.api_username" } }, 400)
        : json({ id: "src_forum", credentials: ["api_key", "api_username"], settings: { instance_url: "https://forum.example" } });
    });
    const edit = await screen.findByRole("region", { name: "Edit credentials and settings" });
    const key = within(edit).getByRole("textbox", { name: /API key/ }) as HTMLInputElement;
    const user_ = within(edit).getByRole("textbox", { name: /API user name/ }) as HTMLInputElement;
    expect(key.value).toBe("");
    expect(user_.value).toBe("");
    expect(within(edit).getByText(/^Set: leave empty to keep it\./)).toBeDefined();
    expect(within(edit).getByText(/^Not set\./)).toBeDefined();
    expect((within(edit).getByRole("textbox", { name: /Forum URL/ }) as HTMLInputElement).value).toBe("https://forum.example");

    await user.click(within(edit).getByRole("button", { name: "Save the changes" }));
    expect(within(edit).getByText("Nothing changed: type a new credential or change a setting.")).toBeDefined();
    expect(requests.filter((r) => r.method === "PUT")).toEqual([]);

    await user.type(user_, "x");
    await user.click(within(edit).getByRole("button", { name: "Save the changes" }));
    expect(await within(edit).findByText("must be 1 to 255 characters, without control characters")).toBeDefined();
    expect(user_.getAttribute("aria-invalid")).toBe("true");
    await waitFor(() => expect(document.activeElement).toBe(user_));

    await user.clear(user_);
    await user.type(user_, " moderator ");
    await user.click(within(edit).getByRole("button", { name: "Save the changes" }));
    expect(await within(edit).findByText("Saved: the source uses the new values from now on.")).toBeDefined();
    expect(requests.filter((r) => r.method === "PUT").at(-1)?.body).toEqual({ credentials: { api_username: "moderator" } });
    expect(user_.value).toBe("");
  });

  it("shows what Liaison generated once, and sends a cleared setting as removed", async () => {
    const user = userEvent.setup();
    const source = aSource({
      id: "src_blog",
      platform: "standard-webhooks",
      name: "Blog",
      settings: { moderation_callback_url: "https://brand.example/decisions" },
      credentials: ["moderation_callback_secret"],
    });
    const { requests, queryClient } = pageOf(source, () =>
      json({
        id: "src_blog",
        credentials: ["moderation_callback_secret"],
        settings: { reply_url: "https://brand.example/replies", moderation_callback_url: null },
        generated_credentials: { moderation_callback_secret: "whsec_Z2VuZXJhdGVkLXNlY3JldC12YWx1ZQ==" },
      }),
    );
    const edit = await screen.findByRole("region", { name: "Edit credentials and settings" });
    // Standard Webhooks takes no other credential: its settings only.
    expect(within(edit).getByText(/takes no other credential/)).toBeDefined();
    expect(within(edit).queryByRole("group", { name: "To answer and moderate from Liaison" })).toBeNull();
    await user.type(within(edit).getByRole("textbox", { name: /Reply URL/ }), "https://brand.example/replies");
    await user.clear(within(edit).getByRole("textbox", { name: /Moderation callback URL/ }));
    await user.click(within(edit).getByRole("button", { name: "Save the changes" }));

    const once = await within(edit).findByRole("region", { name: "Copy it now: it will not be shown again" });
    expect((within(once).getByRole("textbox", { name: "Moderation callback secret" }) as HTMLInputElement).value).toBe(
      "whsec_Z2VuZXJhdGVkLXNlY3JldC12YWx1ZQ==",
    );
    expect(requests.find((r) => r.method === "PUT")?.body).toEqual({
      settings: { reply_url: "https://brand.example/replies", moderation_callback_url: null },
    });
    await user.click(within(once).getByRole("button", { name: "I have copied it" }));
    expect(screen.queryByDisplayValue("whsec_Z2VuZXJhdGVkLXNlY3JldC12YWx1ZQ==")).toBeNull();
    await waitFor(() => expect(JSON.stringify(queryClient.getMutationCache().getAll().map((m) => m.state.data))).not.toContain("whsec_Z2Vu"));
  });

  it("starts afresh on another source's page", async () => {
    const user = userEvent.setup();
    const other = aSource({ id: "src_other", name: "Other forum", webhook_url: "http://127.0.0.1:3000/hooks/src_other" });
    const { router } = renderConsole({
      groups: ["liaison-admin"],
      path: "/sources/src_forum",
      respond: api({
        "GET /admin/sources/src_forum": () => json(aSource()),
        "GET /admin/sources/src_other": () => json(other),
        "GET /admin/sources/src_forum/ignored": () => json({ ignored: [] }),
        "GET /admin/sources/src_other/ignored": () => json({ ignored: [] }),
        "GET /admin/sources/src_forum/received": () => json({ received: [], next: null }),
        "GET /admin/sources/src_other/received": () => json({ received: [], next: null }),
      }),
    });
    const edit = await screen.findByRole("region", { name: "Edit credentials and settings" });
    await user.type(within(edit).getByRole("textbox", { name: /API key/ }), "typed-for-the-first");
    await router.navigate("/sources/src_other");
    expect(await screen.findByRole("heading", { level: 1, name: "Other forum" })).toBeDefined();
    const again = screen.getByRole("region", { name: "Edit credentials and settings" });
    expect((within(again).getByRole("textbox", { name: /API key/ }) as HTMLInputElement).value).toBe("");
  });

  it("asks for both halves of a login, and the site it logs in to, before asking the API", async () => {
    const user = userEvent.setup();
    const { requests } = pageOf(aSource({ id: "src_shop", platform: "woocommerce", name: "Shop" }), () => json({}));
    const edit = await screen.findByRole("region", { name: "Edit credentials and settings" });
    expect(within(edit).getByRole("textbox", { name: /Consumer key/ })).toBeDefined();
    expect(within(edit).queryByRole("textbox", { name: /API key/ })).toBeNull();
    await user.type(within(edit).getByRole("textbox", { name: /Consumer key/ }), "ck_0123456789");
    await user.click(within(edit).getByRole("button", { name: "Save the changes" }));
    const secret = within(edit).getByRole("textbox", { name: /Consumer secret/ });
    expect(secret.getAttribute("aria-invalid")).toBe("true");
    expect(within(edit).getByText("These two go together: give both or neither.")).toBeDefined();
    await user.type(secret, "cs_0123456789");
    await user.click(within(edit).getByRole("button", { name: "Save the changes" }));
    expect(within(edit).getByRole("textbox", { name: /Site URL/ }).getAttribute("aria-invalid")).toBe("true");
    expect(requests.filter((r) => r.method === "PUT")).toEqual([]);
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
    expect(requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/preview")).map((r) => `${r.method} ${r.path}`)).toEqual([
      "PUT /admin/templates/verification/fr",
      "DELETE /admin/templates/verification/fr",
    ]);
    await user.click(screen.getByRole("tab", { name: "English" }));
    expect(within(screen.getByRole("tabpanel")).getByText("Liaison’s default wording.")).toBeDefined();
  });
});

describe("the verification email's live preview", () => {
  const view: TemplateView = {
    name: "verification",
    variables: [
      { name: "name", sample: "Camille", required: false },
      { name: "link", sample: "https://liaison.example/t/verify/SAMPLE", required: true },
    ],
    fr: { subject: "Confirmez", text: "Bonjour {{ name }},\n{{ link }}", custom: false },
    en: { subject: "Confirm", text: "Hello {{ name }},\n{{ link }}", custom: false },
  };

  /** The API's preview: the sample values in, an unknown variable refused on its part. */
  function preview(body: unknown): Response {
    const draft = body as { subject: string; text: string };
    for (const part of ["subject", "text"] as const) {
      const unknown = draft[part].split("\n").findIndex((line) => /\{\{\s*(?!name\b|link\b)\w+\s*\}\}/.test(line));
      if (unknown >= 0) return json({ error: { code: "invalid_request", message: `line ${unknown + 1}: undefined value`, field: part } }, 400);
    }
    const render = (text: string) => text.replaceAll("{{ name }}", "Camille").replaceAll("{{ link }}", "https://liaison.example/t/verify/SAMPLE");
    return json({ subject: render(draft.subject), text: render(draft.text) });
  }

  function previews(requests: { path: string; body: unknown }[]) {
    return requests.filter((r) => r.path === "/admin/templates/verification/preview").map((r) => r.body);
  }

  it("renders the wording as typed once typing pauses, keeps the last good one marked stale, and puts a refusal on its field", { timeout: 20_000 }, async () => {
    // No pause between keys: the whole typing is one burst, as a fast typist's.
    const user = userEvent.setup({ delay: null });
    const { requests } = renderConsole({
      groups: ["liaison-marketer"],
      path: "/templates",
      respond: api({
        "GET /admin/templates/verification": () => json(view),
        "POST /admin/templates/verification/preview": (body) => preview(body),
        "PUT /admin/templates/verification/fr": (body) => json({ name: "verification", language: "fr", ...(body as object), custom: true }),
      }),
    });
    const panel = await screen.findByRole("tabpanel");
    const live = within(panel).getByRole("region", { name: "Preview" });
    // The saved wording, rendered at once, as plain text.
    expect(await within(live).findByText("Confirmez")).toBeDefined();
    const body = () => live.querySelector("pre")?.textContent;
    expect(body()).toBe("Bonjour Camille,\nhttps://liaison.example/t/verify/SAMPLE");
    expect(previews(requests)).toEqual([{ subject: "Confirmez", text: "Bonjour {{ name }},\n{{ link }}" }]);

    const text = within(panel).getByRole("textbox", { name: "Body" });
    await user.type(text, "\nÀ bientôt <b>!</b>");
    // Not asked while typing: the preview is out of date until the pause.
    expect(previews(requests)).toHaveLength(1);
    expect(within(live).getByText("Out of date")).toBeDefined();
    await waitFor(() => expect(body()).toBe("Bonjour Camille,\nhttps://liaison.example/t/verify/SAMPLE\nÀ bientôt <b>!</b>"));
    // One call for the whole burst; the markup is text, never HTML.
    expect(previews(requests)).toHaveLength(2);
    expect(live.querySelector("b")).toBeNull();
    expect(within(live).queryByText("Out of date")).toBeNull();

    await user.type(text, "\n{{{{ nom }}");
    await waitFor(() => expect(text.getAttribute("aria-invalid")).toBe("true"));
    expect(within(panel).getByText("line 4: undefined value")).toBeDefined();
    expect(previews(requests)).toHaveLength(3);
    // The last good preview stays, marked out of date, and says why.
    expect(body()).toBe("Bonjour Camille,\nhttps://liaison.example/t/verify/SAMPLE\nÀ bientôt <b>!</b>");
    expect(within(live).getByText("Out of date")).toBeDefined();
    expect(within(live).getByText(/has an error in the Body field/)).toBeDefined();
    expect(within(panel).getByRole("textbox", { name: "Subject" }).getAttribute("aria-invalid")).toBeNull();

    // Fixed: the error goes, the preview follows.
    await user.type(text, "{Backspace}".repeat("{{ nom }}".length) + "{{{{ name }}");
    await waitFor(() => expect(text.getAttribute("aria-invalid")).toBeNull());
    await waitFor(() => expect(body()).toMatch(/<b>!<\/b>\nCamille$/));

    // Saving still saves with PUT.
    await user.click(within(panel).getByRole("button", { name: "Save the French wording" }));
    expect(await screen.findByText(/Saved: the new wording applies/)).toBeDefined();
    expect(requests.filter((r) => r.method === "PUT").map((r) => r.body)).toEqual([
      { subject: "Confirmez", text: "Bonjour {{ name }},\n{{ link }}\nÀ bientôt <b>!</b>\n{{ name }}" },
    ]);
  });

  it("shows a refusal of the subject on the subject, and says so when nothing rendered yet", async () => {
    const user = userEvent.setup({ delay: null });
    renderConsole({
      groups: ["liaison-admin"],
      path: "/templates",
      respond: api({
        "GET /admin/templates/verification": () => json({ ...view, fr: { ...view.fr, subject: "Confirmez {{ prenom }}" } }),
        "POST /admin/templates/verification/preview": (body) => preview(body),
      }),
    });
    const panel = await screen.findByRole("tabpanel");
    const subject = within(panel).getByRole("textbox", { name: "Subject" });
    await waitFor(() => expect(subject.getAttribute("aria-invalid")).toBe("true"));
    expect(within(panel).getByText("line 1: undefined value")).toBeDefined();
    const live = within(panel).getByRole("region", { name: "Preview" });
    expect(within(live).getByText("No preview yet: correct the error in the Subject field.")).toBeDefined();
    expect(live.querySelector("pre")).toBeNull();
    await user.clear(subject);
    await user.type(subject, "Confirmez {{{{ name }}");
    expect(await within(live).findByText("Confirmez Camille")).toBeDefined();
    expect(subject.getAttribute("aria-invalid")).toBeNull();
  });

  it("says in words when the preview could not be made", async () => {
    renderConsole({
      groups: ["liaison-marketer"],
      path: "/templates",
      respond: api({
        "GET /admin/templates/verification": () => json(view),
        "POST /admin/templates/verification/preview": () => json({ error: { code: "unavailable", message: "Try again in a moment." } }, 503),
      }),
    });
    const panel = await screen.findByRole("tabpanel");
    const live = within(panel).getByRole("region", { name: "Preview" });
    expect(await within(live).findByText("The preview could not be made. Try again in a moment.")).toBeDefined();
    expect(within(panel).getByRole("textbox", { name: "Body" }).getAttribute("aria-invalid")).toBeNull();
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
