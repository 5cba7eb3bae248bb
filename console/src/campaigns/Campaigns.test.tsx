// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetSessionForTests } from "../auth/session";
import { json, renderConsole, type Respond } from "../test/render";
import type { Campaign, CampaignSpec } from "./form";
import type { CampaignStats } from "./results";

afterEach(() => {
  cleanup();
  resetSessionForTests();
});

function aCampaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: "cmp_1",
    status: "draft",
    name: "Winter carts",
    priority: 0,
    schedule: { starts_at: "2026-12-01T09:00:00.000Z" },
    entry: { abandoned_after_minutes: 60 },
    steps: [
      { delay_minutes: 0, subject: "Hello {{ contact.first_name }}", html: "<p>Hi</p>", text: "Hi" },
      { delay_minutes: 1440, subject: "Still there?", html: "<p>Again</p>", text: "Again" },
    ],
    consent: "required",
    attribution_window_days: 5,
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-21T10:00:00Z",
    updated_by: "camille",
    ...overrides,
  };
}

/** A fake API keeping campaigns; `override` answers first when it returns something. */
function campaignApi(initial: Campaign[] = [], override?: (request: Request, body: unknown) => Response | undefined): Respond {
  const campaigns = new Map(initial.map((c) => [c.id, c]));
  let next = 100;
  return (request, body) => {
    const answer = override?.(request, body);
    if (answer !== undefined) return answer;
    const { pathname } = new URL(request.url);
    const parts = pathname.split("/").filter(Boolean);
    if (pathname === "/admin/campaigns" && request.method === "GET") return json({ campaigns: [...campaigns.values()] });
    if (pathname === "/admin/campaigns" && request.method === "POST") {
      next += 1;
      const created: Campaign = {
        ...aCampaign(),
        ...(body as CampaignSpec),
        id: `cmp_${next}`,
        status: "draft",
      } as Campaign;
      campaigns.set(created.id, created);
      return json(created, 201);
    }
    const id = parts[2] ?? "";
    const found = campaigns.get(id);
    if (found === undefined) return json({ error: { code: "not_found", message: "no such campaign" } }, 404);
    if (parts.length === 3 && request.method === "GET") return json(found);
    if (parts.length === 3 && request.method === "PUT") {
      const changed = { ...found, ...(body as CampaignSpec), updated_at: new Date().toISOString() } as Campaign;
      campaigns.set(id, changed);
      return json(changed);
    }
    const action = parts[3];
    if (action === "preview") {
      const ask = body as { step: number; variant?: string; cart_id?: string };
      const step = found.steps[ask.step];
      return json({ subject: `Rendered: ${step?.subject ?? ""}`, html: "<p>Rendered <b>HTML</b></p>", text: `Text of step ${ask.step + 1}` });
    }
    const next_status = { schedule: "scheduled", pause: "paused", resume: "scheduled", end: "ended" } as const;
    if (action === "schedule" || action === "pause" || action === "resume" || action === "end") {
      const changed = { ...found, status: next_status[action] };
      campaigns.set(id, changed);
      return json(changed);
    }
    if (action === "duplicate") {
      const copy = { ...found, id: "cmp_copy", name: `${found.name} (copy)`, status: "draft" as const };
      campaigns.set(copy.id, copy);
      return json(copy, 201);
    }
    return json({ error: { code: "not_found", message: "no such route" } }, 404);
  };
}

describe("who sees campaigns", () => {
  it("offers them to marketers and admins, in the navigation", async () => {
    renderConsole({ groups: ["liaison-marketer"], path: "/campaigns", respond: campaignApi([aCampaign()]) });
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Campaigns" })).toBeDefined();
    expect(await screen.findByRole("heading", { level: 1, name: "Campaigns" })).toBeDefined();
  });

  it("is not found for a support agent, with no link to it", async () => {
    const { requests } = renderConsole({ groups: ["liaison-support"], path: "/campaigns/cmp_1", respond: campaignApi([aCampaign()]) });
    expect(await screen.findByRole("heading", { level: 1, name: "Page not found" })).toBeDefined();
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).queryByRole("link", { name: "Campaigns" })).toBeNull();
    expect(requests.filter((r) => r.path.startsWith("/admin/campaigns"))).toEqual([]);
  });
});

describe("the list", () => {
  it("shows each campaign's name, status, steps and dates, with links", async () => {
    renderConsole({
      groups: ["liaison-marketer"],
      path: "/campaigns",
      respond: campaignApi([aCampaign(), aCampaign({ id: "cmp_2", name: "Spring", status: "active", steps: [aCampaign().steps[0]!] })]),
    });
    const list = await screen.findByRole("list", { name: "Campaigns, oldest first" });
    const items = within(list).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    const first = items[0]!;
    expect(within(first).getByRole("link", { name: "Winter carts" }).getAttribute("href")).toBe("/campaigns/cmp_1");
    expect(within(first).getByText("Draft")).toBeDefined();
    expect(within(first).getByText("2 emails")).toBeDefined();
    expect(within(first).getByRole("link", { name: "Results: Winter carts" }).getAttribute("href")).toBe("/campaigns/cmp_1/results");
    expect(within(items[1]!).getByText("Active")).toBeDefined();
    expect(within(items[1]!).getByText("1 email")).toBeDefined();
    expect(screen.getByRole("link", { name: "New campaign" }).getAttribute("href")).toBe("/campaigns/new");
  });

  it("says when there is none, and why it could not load, in French too", async () => {
    renderConsole({ groups: ["liaison-marketer"], path: "/campaigns", language: "fr", respond: campaignApi([]) });
    expect(await screen.findByText(/Aucune campagne pour l’instant/)).toBeDefined();
    cleanup();
    resetSessionForTests();
    renderConsole({
      groups: ["liaison-marketer"],
      path: "/campaigns",
      respond: () => json({ error: { code: "unavailable", message: "DynamoDB is throttling." } }, 503),
    });
    expect((await screen.findByRole("alert")).textContent).toContain("This could not be loaded. DynamoDB is throttling.");
  });
});

describe("writing a campaign", () => {
  it("creates a draft from the form, with three steps, then opens it", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    const { requests, router } = renderConsole({ groups: ["liaison-marketer"], path: "/campaigns/new", respond: campaignApi() });
    await screen.findByRole("heading", { level: 1, name: "New campaign" });
    await user.type(screen.getByRole("textbox", { name: "Name" }), "Paniers d'hiver");
    await user.clear(screen.getByRole("spinbutton", { name: "Abandoned after" }));
    await user.type(screen.getByRole("spinbutton", { name: "Abandoned after" }), "30");
    await user.selectOptions(screen.getByRole("combobox", { name: "Unit of “Abandoned after”" }), "minutes");
    await user.type(screen.getByRole("textbox", { name: "Currencies (optional)" }), "eur");
    await user.click(screen.getByRole("button", { name: "Add an email" }));
    await user.click(screen.getByRole("button", { name: "Add an email" }));
    expect(screen.getAllByRole("group", { name: /^Email \d/ })).toHaveLength(3);
    // The new step's delay is focused: a keyboard user types on.
    expect(document.activeElement?.id).toBe("campaign-steps-2-delay-minutes");
    const third = screen.getAllByRole("group", { name: /^Email 3/ })[0]!;
    await user.type(within(third).getByRole("textbox", { name: "Incentive code (optional)" }), "MERCI10");
    await user.click(within(third).getByRole("checkbox", { name: "Test a variant B of this email" }));
    await user.clear(within(third).getByRole("spinbutton", { name: "Share of carts getting B (%)" }));
    await user.type(within(third).getByRole("spinbutton", { name: "Share of carts getting B (%)" }), "30");
    await user.click(screen.getByRole("checkbox", { name: "Send only during the day (quiet hours)" }));
    await user.click(screen.getByRole("radio", { name: /Everyone gets the first email/ }));
    await user.click(screen.getByRole("button", { name: "Create the draft" }));

    await waitFor(() => expect(router.state.location.pathname).toBe("/campaigns/cmp_101"));
    const post = requests.find((r) => r.method === "POST" && r.path === "/admin/campaigns");
    const spec = post?.body as CampaignSpec;
    expect(spec.name).toBe("Paniers d'hiver");
    expect(spec.entry).toEqual({ abandoned_after_minutes: 30, currencies: ["EUR"], sources: [] });
    expect(spec.steps.map((s) => s.delay_minutes)).toEqual([0, 1440, 2880]);
    expect(spec.steps[2]?.incentive_code).toBe("MERCI10");
    expect(spec.steps[2]?.variant_b?.percent).toBe(30);
    expect(spec.steps[0]?.variant_b).toBeUndefined();
    expect(spec.send_window).toBeUndefined();
    expect(spec.consent).toBe("first_step_only");
    expect(spec.utm).toEqual({ source: "liaison", medium: "email", campaign: "paniers-d-hiver" });
    await screen.findByRole("heading", { level: 1, name: "Paniers d'hiver" });
    expect(await screen.findByText("The draft is saved. Preview its emails below, then schedule it.")).toBeDefined();
    expect(router.state.location.state).toEqual({ notice: "created" });
  });

  it("shows the API's 400 on the input it names, with the template line, and focuses it", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-marketer"],
      path: "/campaigns/cmp_1",
      respond: campaignApi([aCampaign()], (request) =>
        request.method === "PUT"
          ? json({ error: { code: "invalid_request", field: "steps[1].html", message: "line 2: undefined value" } }, 400)
          : undefined,
      ),
    });
    const second = (await screen.findAllByRole("group", { name: /^Email 2/ }))[0]!;
    const html = within(second).getByRole("textbox", { name: "Body (HTML)" });
    fireEvent.change(html, { target: { value: "<p>Again</p>\n{{ nope }}\n<p>end</p>" } });
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(document.activeElement).toBe(html));
    expect(html.getAttribute("aria-invalid")).toBe("true");
    const description = (html.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .map((id) => document.getElementById(id)?.textContent ?? "")
      .join(" ");
    expect(description).toContain("Line 2: undefined value.");
    expect(description).toContain("The line reads: {{ nope }}");
    // The offending line is selected.
    const area = html as HTMLTextAreaElement;
    expect(area.value.slice(area.selectionStart, area.selectionEnd)).toBe("{{ nope }}");
    expect(screen.getByRole("alert").textContent).toContain("The campaign was not saved: line 2: undefined value");
    expect(requests.filter((r) => r.method === "PUT")).toHaveLength(1);
    // Typing in the field clears its error.
    await user.type(html, "x");
    expect(html.getAttribute("aria-invalid")).toBeNull();
  });

  it("reorders and removes steps, keeping focus on the moved step", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({ groups: ["liaison-admin"], path: "/campaigns/cmp_1", respond: campaignApi([aCampaign()]) });
    const down = await screen.findByRole("button", { name: "Move down: email 1" });
    await user.click(down);
    expect(screen.getByText("Email 1 moved to position 2.")).toBeDefined();
    expect(document.activeElement?.textContent).toBe("Move up");
    const subjects = () => screen.getAllByRole("textbox", { name: "Subject" }).map((i) => (i as HTMLInputElement).value);
    expect(subjects()).toEqual(["Still there?", "Hello {{ contact.first_name }}"]);
    await user.click(screen.getByRole("button", { name: "Remove: email 2" }));
    expect(subjects()).toEqual(["Still there?"]);
    expect(screen.getByRole("button", { name: "Remove: email 1" }).getAttribute("disabled")).not.toBeNull();
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(requests.filter((r) => r.method === "PUT")).toHaveLength(1));
    expect((requests.find((r) => r.method === "PUT")?.body as CampaignSpec).steps.map((s) => s.subject)).toEqual(["Still there?"]);
  });

  it("says when the campaign was saved elsewhere meanwhile, and loads that version on demand", async () => {
    const user = userEvent.setup();
    let stored = aCampaign();
    const { queryClient } = renderConsole({
      groups: ["liaison-marketer"],
      path: "/campaigns/cmp_1",
      respond: (request) => (request.method === "GET" && new URL(request.url).pathname === "/admin/campaigns/cmp_1" ? json(stored) : undefined) ?? json({}),
    });
    const subject = (await screen.findAllByRole("textbox", { name: "Subject" }))[0]!;
    expect((subject as HTMLInputElement).value).toBe("Hello {{ contact.first_name }}");
    stored = aCampaign({ steps: [{ ...aCampaign().steps[0]!, subject: "Their subject" }], updated_at: "2026-11-22T10:00:00Z" });
    await queryClient.invalidateQueries({ queryKey: ["campaigns"] });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("This campaign was saved elsewhere");
    await user.click(within(alert).getByRole("button", { name: "Load the saved version (drops your changes)" }));
    expect((screen.getAllByRole("textbox", { name: "Subject" })[0] as HTMLInputElement).value).toBe("Their subject");
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("the preview", () => {
  it("renders a draft's step after saving what was typed, in a sandboxed frame, and on a real cart", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({ groups: ["liaison-marketer"], path: "/campaigns/cmp_1", respond: campaignApi([aCampaign()]) });
    await user.click(await screen.findByRole("button", { name: "Preview email 2" }));
    const panel = screen.getByRole("region", { name: "Preview of email 2" });
    expect(await within(panel).findByText("Rendered: Still there?")).toBeDefined();
    const frame = panel.querySelector("iframe");
    expect(frame?.getAttribute("sandbox")).toBe("");
    expect(frame?.getAttribute("srcdoc")).toContain("<p>Rendered <b>HTML</b></p>");
    expect(frame?.getAttribute("title")).toBe("Email 2 as HTML");
    await user.click(within(panel).getByRole("radio", { name: "Plain-text version" }));
    expect(within(panel).getByText("Text of step 2")).toBeDefined();
    expect(panel.querySelector("iframe")).toBeNull();
    expect(requests.find((r) => r.path === "/admin/campaigns/cmp_1/preview")?.body).toEqual({ step: 1 });

    // Typing in a draft saves it (debounced), then renders again.
    const second = screen.getAllByRole("group", { name: /^Email 2/ })[0]!;
    fireEvent.change(within(second).getByRole("textbox", { name: "Subject" }), { target: { value: "Changed" } });
    await within(panel).findByText("Rendered: Changed", {}, { timeout: 3000 });
    expect((requests.find((r) => r.method === "PUT")?.body as CampaignSpec).steps[1]?.subject).toBe("Changed");

    await user.click(within(panel).getByRole("radio", { name: "A real cart" }));
    expect(within(panel).getByText("Enter the source and the cart to preview on a real cart.")).toBeDefined();
    await user.type(within(panel).getByRole("textbox", { name: "Source id" }), "src_pefjqq53dkl6bxxx3k3eb47wje");
    await user.type(within(panel).getByRole("textbox", { name: "Cart id in the shop" }), "cart_BBmCWURr");
    await waitFor(
      () =>
        expect(requests.filter((r) => r.path.endsWith("/preview")).at(-1)?.body).toEqual({
          step: 1,
          cart_id: "crt_8ea935b708281aa5fdb8ea706877041d",
        }),
      { timeout: 3000 },
    );
  });

  it("waits for a draft that cannot be saved, and says why", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    renderConsole({
      groups: ["liaison-marketer"],
      path: "/campaigns/cmp_1",
      respond: campaignApi([aCampaign()], (request) =>
        request.method === "PUT"
          ? json({ error: { code: "invalid_request", field: "steps[0].subject", message: "line 1: unknown variable" } }, 400)
          : undefined,
      ),
    });
    await user.click(await screen.findByRole("button", { name: "Preview email 1" }));
    const panel = screen.getByRole("region", { name: "Preview of email 1" });
    await within(panel).findByText("Rendered: Hello {{ contact.first_name }}");
    const subject = screen.getAllByRole("textbox", { name: "Subject" })[0]!;
    fireEvent.change(subject, { target: { value: "{{ nope }}" } });
    expect(
      await within(panel).findByText(
        "The preview shows the draft as saved, and your changes cannot be saved yet: line 1: unknown variable",
        {},
        { timeout: 3000 },
      ),
    ).toBeDefined();
    // On the field, not above the form (nobody pressed Save), and focus stays where it was.
    expect(subject.getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByText(/The campaign was not saved/)).toBeNull();
  });

  it("creates a new campaign's draft to preview it", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    const { router } = renderConsole({ groups: ["liaison-marketer"], path: "/campaigns/new", respond: campaignApi() });
    await user.type(await screen.findByRole("textbox", { name: "Name" }), "Quick");
    await user.click(screen.getByRole("button", { name: "Preview email 1" }));
    expect(screen.getByText("The preview renders the saved campaign: create the draft first.")).toBeDefined();
    await user.click(screen.getByRole("button", { name: "Create the draft and preview" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/campaigns/cmp_101"));
    await screen.findByRole("heading", { level: 1, name: "Quick" });
    const panel = await screen.findByRole("region", { name: "Preview of email 1" });
    expect(await within(panel).findByText(/^Rendered: /)).toBeDefined();
  });

  it("says why a preview failed, in the API's words", async () => {
    const user = userEvent.setup();
    renderConsole({
      groups: ["liaison-marketer"],
      path: "/campaigns/cmp_1",
      respond: campaignApi([aCampaign({ status: "active" })], (request) =>
        request.url.endsWith("/preview") ? json({ error: { code: "invalid_request", field: "cart_id", message: "no such cart" } }, 400) : undefined,
      ),
    });
    await user.click(await screen.findByRole("button", { name: "Preview email 1" }));
    expect((await screen.findByText(/The preview could not be shown/)).textContent).toBe("The preview could not be shown: no such cart");
  });
});

describe("the actions", () => {
  it("schedules a draft, then offers pause and end; ending asks first", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({ groups: ["liaison-marketer"], path: "/campaigns/cmp_1", respond: campaignApi([aCampaign()]) });
    const actions = await screen.findByRole("region", { name: "Actions" });
    expect(within(actions).getAllByRole("button").map((b) => b.textContent)).toEqual(["Schedule", "Duplicate"]);
    await user.click(within(actions).getByRole("button", { name: "Schedule" }));
    expect(await within(actions).findByText("Scheduled: the campaign takes carts from its start date.")).toBeDefined();
    expect(within(actions).getAllByRole("button").map((b) => b.textContent)).toEqual(["Pause", "End", "Duplicate"]);
    await user.click(within(actions).getByRole("button", { name: "End" }));
    expect(requests.some((r) => r.path.endsWith("/end"))).toBe(false);
    expect(document.activeElement?.textContent).toBe("End the campaign");
    await user.click(within(actions).getByRole("button", { name: "Cancel" }));
    expect(requests.some((r) => r.path.endsWith("/end"))).toBe(false);
    await user.click(within(actions).getByRole("button", { name: "End" }));
    await user.click(within(actions).getByRole("button", { name: "End the campaign" }));
    expect(await within(actions).findByText("Ended.")).toBeDefined();
    expect(within(actions).getAllByRole("button").map((b) => b.textContent)).toEqual(["Duplicate"]);
  });

  it("says a 409 in words", async () => {
    const user = userEvent.setup();
    renderConsole({
      groups: ["liaison-marketer"],
      path: "/campaigns/cmp_1",
      respond: campaignApi([aCampaign({ status: "active" })], (request) =>
        request.url.endsWith("/pause") ? json({ error: { code: "conflict", message: "a ended campaign cannot be paused" } }, 409) : undefined,
      ),
    });
    await user.click(await screen.findByRole("button", { name: "Pause" }));
    expect((await screen.findByRole("alert")).textContent).toBe("The campaign could not be paused: a ended campaign cannot be paused");
  });

  it("duplicates, and opens the copy", async () => {
    const user = userEvent.setup();
    const { router } = renderConsole({ groups: ["liaison-marketer"], path: "/campaigns/cmp_1", respond: campaignApi([aCampaign()]) });
    await user.click(await screen.findByRole("button", { name: "Duplicate" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/campaigns/cmp_copy"));
    expect(await screen.findByRole("heading", { level: 1, name: "Winter carts (copy)" })).toBeDefined();
  });
});

describe("the results", () => {
  const stats: CampaignStats = {
    campaign_id: "cmp_1",
    entered: 40,
    converted: 3,
    revenue: { EUR: "123.40" },
    steps: [0, 1].map((step) => ({
      step,
      variant: "A",
      sent: step === 0 ? 10 : 4,
      delivered: 8,
      opened: 4,
      clicked: 2,
      unsubscribed: 0,
      bounced: 0,
      complained: 0,
      converted: 1,
      deferred: { cap: 0, quiet: step === 0 ? 5 : 0, activity: 0, ses: 0 },
      skipped: { converted: 0, no_consent: 2 },
      revenue: (step === 0 ? { EUR: "59.90" } : {}) as Record<string, string>,
      rates: { open: 0.5, click: 0.25, conversion: 0.1 },
    })),
  };

  it("shows the funnel as a table, revenue per currency, reasons, and downloads the audience as CSV", async () => {
    const user = userEvent.setup();
    const created: Blob[] = [];
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: (blob: Blob) => (created.push(blob), "blob:audience"), revokeObjectURL: () => undefined }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    renderConsole({
      groups: ["liaison-marketer"],
      path: "/campaigns/cmp_1/results",
      respond: campaignApi([aCampaign()], (request) => {
        const { pathname } = new URL(request.url);
        if (pathname.endsWith("/stats")) return json(stats);
        if (pathname === "/admin/audiences/abandoned") return json({ campaign_id: "cmp_1", format: "sha256_email", count: 2, hashes: ["a".repeat(64), "b".repeat(64)] });
        return undefined;
      }),
    });
    expect(await screen.findByRole("heading", { level: 1, name: "Results: Winter carts" })).toBeDefined();
    const funnel = screen.getByRole("table", { name: "From carts entered to carts converted, per email and variant" });
    const rows = within(funnel).getAllByRole("row").map((row) => [...row.querySelectorAll("th, td")].map((c) => c.textContent));
    expect(rows[0]).toEqual(["Email", "Entered", "Sent", "Delivered", "Opened", "Clicked", "Converted"]);
    expect(rows[1]).toEqual(["All emails", "40", "14", "16", "8", "4", "3"]);
    expect(rows[2]).toEqual(["Email 1", "—not counted per email", "10", "8", "4", "2", "1"]);
    const revenue = screen.getByRole("table", { name: "Recovered revenue per currency, per email and variant" });
    expect(within(revenue).getByRole("row", { name: /Email 1/ }).textContent).toContain("€59.90");
    expect(within(revenue).getByRole("row", { name: /Email 2/ }).textContent).toContain("sent 1 day after abandonment");
    const deferred = screen.getByRole("table", { name: "Deferred emails by reason, per email and variant" });
    expect(within(deferred).getByRole("row", { name: /Quiet hours/ }).textContent).toBe("Quiet hours505");
    expect(screen.getByRole("table", { name: "Skipped emails by reason, per email and variant" }).textContent).toContain("No marketing consent");

    await user.click(screen.getByRole("button", { name: "Download the audience (CSV)" }));
    expect(await screen.findByText("2 people, saved as audience-cmp_1.csv.")).toBeDefined();
    expect(click).toHaveBeenCalledOnce();
    expect(await created[0]?.text()).toBe(`email_sha256\n${"a".repeat(64)}\n${"b".repeat(64)}\n`);
  });

  it("says why the results could not load", async () => {
    renderConsole({
      groups: ["liaison-marketer"],
      path: "/campaigns/cmp_9/results",
      respond: () => json({ error: { code: "not_found", message: "no such campaign" } }, 404),
    });
    expect((await screen.findByRole("alert")).textContent).toContain("This could not be loaded. no such campaign");
  });
});
