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

interface PreviewRequest {
  step: number;
  variant?: string;
  cart_id?: string;
  content?: { subject: string; html: string; text: string };
}

/** The preview requests made so far. */
function previews(requests: { path: string; body: unknown }[]): PreviewRequest[] {
  return requests.filter((r) => r.path.endsWith("/preview")).map((r) => r.body as PreviewRequest);
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
      const ask = body as PreviewRequest;
      const step = found.steps[ask.step];
      if (step === undefined) return json({ error: { code: "invalid_request", field: "step", message: `0 to ${found.steps.length - 1}` } }, 400);
      // The content as typed, as the API renders it; a `{{ nope }}` does not render.
      const content = ask.content ?? step;
      for (const part of ["subject", "html", "text"] as const) {
        const line = content[part].split("\n").findIndex((l) => l.includes("{{ nope }}"));
        if (line >= 0) return json({ error: { code: "invalid_request", field: `content.${part}`, message: `line ${line + 1}: undefined value` } }, 400);
      }
      return json({ subject: `Rendered: ${content.subject}`, html: `<p>Rendered <b>HTML</b></p>${content.html}`, text: `Text of step ${ask.step + 1}: ${content.text}` });
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
  it("renders a step's content as typed, without saving it, once typing rests, in a sandboxed frame, and on a real cart", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({ groups: ["liaison-marketer"], path: "/campaigns/cmp_1", respond: campaignApi([aCampaign()]) });
    await user.click(await screen.findByRole("button", { name: "Preview email 2" }));
    const panel = screen.getByRole("region", { name: "Preview of email 2" });
    expect(await within(panel).findByText("Rendered: Still there?")).toBeDefined();
    const frame = panel.querySelector("iframe");
    expect(frame?.getAttribute("sandbox")).toBe("");
    expect(frame?.getAttribute("srcdoc")).toContain("<p>Rendered <b>HTML</b></p><p>Again</p>");
    expect(frame?.getAttribute("title")).toBe("Email 2 as HTML");
    await user.click(within(panel).getByRole("radio", { name: "Plain-text version" }));
    expect(within(panel).getByText("Text of step 2: Again")).toBeDefined();
    expect(panel.querySelector("iframe")).toBeNull();
    expect(previews(requests)).toEqual([{ step: 1, content: { subject: "Still there?", html: "<p>Again</p>", text: "Again" } }]);
    expect(within(panel).getByRole("status").textContent).toBe("Email 2, variant A, on the sample cart.");

    // Typing: one request once typing rests (400 ms), with what is typed; nothing is saved.
    const second = screen.getAllByRole("group", { name: /^Email 2/ })[0]!;
    const subject = within(second).getByRole("textbox", { name: "Subject" });
    for (const typed of ["C", "Ch", "Cha", "Chan", "Changed"]) fireEvent.change(subject, { target: { value: typed } });
    expect(previews(requests)).toHaveLength(1);
    // Meanwhile the email shown is the previous one, marked out of date.
    expect(within(panel).getByText("Rendered: Still there?")).toBeDefined();
    expect(panel.querySelector(".cmp-email")?.classList.contains("cmp-stale")).toBe(true);
    expect(within(panel).getByRole("status").textContent).toBe("Rendering the preview…");
    expect(await within(panel).findByText("Rendered: Changed", {}, { timeout: 3000 })).toBeDefined();
    expect(panel.querySelector(".cmp-email")?.classList.contains("cmp-stale")).toBe(false);
    expect(previews(requests).slice(1)).toEqual([{ step: 1, content: { subject: "Changed", html: "<p>Again</p>", text: "Again" } }]);
    expect(within(panel).getByText("Text of step 2: Again")).toBeDefined();
    expect(within(panel).getByText(/The preview shows your changes as you type/)).toBeDefined();
    expect(requests.filter((r) => r.method === "PUT" || (r.method === "POST" && r.path === "/admin/campaigns"))).toEqual([]);

    await user.click(within(panel).getByRole("radio", { name: "A real cart" }));
    expect(within(panel).getByText("Enter the source and the cart to preview on a real cart.")).toBeDefined();
    await user.type(within(panel).getByRole("textbox", { name: "Source id" }), "src_pefjqq53dkl6bxxx3k3eb47wje");
    await user.type(within(panel).getByRole("textbox", { name: "Cart id in the shop" }), "cart_BBmCWURr");
    await waitFor(
      () =>
        expect(previews(requests).at(-1)).toEqual({
          step: 1,
          cart_id: "crt_8ea935b708281aa5fdb8ea706877041d",
          content: { subject: "Changed", html: "<p>Again</p>", text: "Again" },
        }),
      { timeout: 3000 },
    );
    await within(panel).findByText("Email 2, variant A, on the real cart as it is now.");
    // The cart as typed asked only once it was whole (no request per keystroke).
    expect(previews(requests).filter((b) => b.cart_id !== undefined)).toHaveLength(1);
    expect(requests.some((r) => r.method === "PUT")).toBe(false);
  });

  it("says what does not render on the field it names, keeping the last email, marked out of date", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({ groups: ["liaison-marketer"], path: "/campaigns/cmp_1", respond: campaignApi([aCampaign()]) });
    await user.click(await screen.findByRole("button", { name: "Preview email 2" }));
    const panel = screen.getByRole("region", { name: "Preview of email 2" });
    await within(panel).findByText("Rendered: Still there?");
    const second = screen.getAllByRole("group", { name: /^Email 2/ })[0]!;
    const html = within(second).getByRole("textbox", { name: "Body (HTML)" });
    html.focus();
    fireEvent.change(html, { target: { value: "<p>Again</p>\n{{ nope }}\n<p>end</p>" } });
    expect(
      await within(panel).findByText(
        "Your last change cannot be shown: “Body (HTML)” has an error (line 2: undefined value). Below is the last version that rendered.",
        {},
        { timeout: 3000 },
      ),
    ).toBeDefined();
    expect(previews(requests).at(-1)?.content?.html).toBe("<p>Again</p>\n{{ nope }}\n<p>end</p>");
    // On the field, with its line; not above the form (nobody pressed Save); focus stays.
    await waitFor(() => expect(html.getAttribute("aria-invalid")).toBe("true"));
    const description = (html.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .map((id) => document.getElementById(id)?.textContent ?? "")
      .join(" ");
    expect(description).toContain("Line 2: undefined value.");
    expect(description).toContain("The line reads: {{ nope }}");
    expect(document.activeElement).toBe(html);
    expect(screen.queryByText(/The campaign was not saved/)).toBeNull();
    expect(within(panel).queryByRole("alert")).toBeNull();
    // The other fields are not marked.
    expect(within(second).getByRole("textbox", { name: "Subject" }).getAttribute("aria-invalid")).toBeNull();
    // The last good email stays, said to be out of date.
    expect(within(panel).getByText("Rendered: Still there?")).toBeDefined();
    expect(within(panel).getByText("Out of date: the last version that rendered, not what is typed now.")).toBeDefined();
    expect(panel.querySelector(".cmp-email")?.classList.contains("cmp-stale")).toBe(true);

    // Typing on keeps the error until the next answer; fixed, it renders and the error goes.
    fireEvent.change(html, { target: { value: "<p>Fixed</p>" } });
    expect(html.getAttribute("aria-invalid")).toBe("true");
    expect(await within(panel).findByText("Email 2, variant A, on the sample cart.", {}, { timeout: 3000 })).toBeDefined();
    expect(html.getAttribute("aria-invalid")).toBeNull();
    expect(within(panel).queryByText(/Out of date/)).toBeNull();
    expect(panel.querySelector("iframe")?.getAttribute("srcdoc")).toContain("<p>Fixed</p>");
    expect(requests.some((r) => r.method === "PUT")).toBe(false);
  });

  it("puts variant B's error on variant B's field", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    const withB = aCampaign({
      steps: [{ delay_minutes: 0, subject: "A subject", html: "<p>A</p>", text: "A", variant_b: { percent: 50, subject: "B subject", html: "<p>B</p>", text: "B" } }],
    });
    const { requests } = renderConsole({ groups: ["liaison-marketer"], path: "/campaigns/cmp_1", respond: campaignApi([withB]) });
    await user.click(await screen.findByRole("button", { name: "Preview email 1" }));
    const panel = screen.getByRole("region", { name: "Preview of email 1" });
    await within(panel).findByText("Rendered: A subject");
    await user.click(within(panel).getByRole("radio", { name: "B" }));
    await within(panel).findByText("Rendered: B subject");
    expect(previews(requests).at(-1)).toEqual({ step: 0, variant: "B", content: { subject: "B subject", html: "<p>B</p>", text: "B" } });
    const variant = screen.getByRole("group", { name: "Variant B" });
    const subjectB = within(variant).getByRole("textbox", { name: "Subject" });
    fireEvent.change(subjectB, { target: { value: "{{ nope }}" } });
    await waitFor(() => expect(subjectB.getAttribute("aria-invalid")).toBe("true"), { timeout: 3000 });
    const subjects = screen.getAllByRole("textbox", { name: "Subject" });
    expect(subjects[0]?.getAttribute("aria-invalid")).toBeNull();
    expect(within(panel).getByText(/“Subject” has an error \(line 1: undefined value\)/)).toBeDefined();
  });

  it("asks to save a new email before previewing it, then follows typing", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({ groups: ["liaison-marketer"], path: "/campaigns/cmp_1", respond: campaignApi([aCampaign({ status: "active" })]) });
    await user.click(await screen.findByRole("button", { name: "Add an email" }));
    await user.click(screen.getByRole("button", { name: "Preview email 3" }));
    const panel = screen.getByRole("region", { name: "Preview of email 3" });
    expect(within(panel).getByText(/Email 3 is new: save the campaign once to preview it/)).toBeDefined();
    expect(previews(requests)).toEqual([]);
    await user.click(within(panel).getByRole("button", { name: "Save and preview" }));
    await waitFor(() => expect(requests.filter((r) => r.method === "PUT")).toHaveLength(1));
    expect(await within(panel).findByText(/^Rendered: Still thinking about/)).toBeDefined();
    expect(previews(requests).at(-1)?.step).toBe(2);
  });

  it("creates a new campaign's draft to preview it", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    const { router } = renderConsole({ groups: ["liaison-marketer"], path: "/campaigns/new", respond: campaignApi() });
    await user.type(await screen.findByRole("textbox", { name: "Name" }), "Quick");
    await user.click(screen.getByRole("button", { name: "Preview email 1" }));
    expect(screen.getByText("The preview needs the campaign saved once: create the draft first.")).toBeDefined();
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
    by_day: [
      { day: "2026-12-02", converted: 2, revenue: { EUR: "59.90" } },
      { day: "2026-12-04", converted: 1, revenue: { EUR: "63.50" } },
    ],
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
    // The results page loads its charts lazily (the largest chunk): on a loaded machine that
    // takes more than findByRole's default second.
    expect(await screen.findByRole("heading", { level: 1, name: "Results: Winter carts" }, { timeout: 10_000 })).toBeDefined();
    const funnel = screen.getByRole("table", { name: "From carts entered to carts converted, per email and variant" });
    const rows = within(funnel).getAllByRole("row").map((row) => [...row.querySelectorAll("th, td")].map((c) => c.textContent));
    expect(rows[0]).toEqual(["Email", "Entered", "Sent", "Delivered", "Opened", "Clicked", "Converted"]);
    expect(rows[1]).toEqual(["All emails", "40", "14", "16", "8", "4", "3"]);
    expect(rows[2]).toEqual(["Email 1", "—not counted per email", "10", "8", "4", "2", "1"]);
    const revenue = screen.getByRole("table", { name: "Recovered revenue per currency, per email and variant" });
    expect(within(revenue).getByRole("row", { name: /Email 1/ }).textContent).toContain("€59.90");
    expect(within(revenue).getByRole("row", { name: /Email 2/ }).textContent).toContain("sent 1 day after abandonment");
    // Revenue per day: a summary, and the days with orders as a table (the chart is for the eye).
    const byDay = screen.getByRole("region", { name: "Recovered revenue per day" });
    expect(within(byDay).getByText("3 orders recovered from Dec 2, 2026 to Dec 4, 2026: €123.40.")).toBeDefined();
    const days = within(byDay).getByRole("table", { name: "Recovered orders and revenue per day (days with at least one order)" });
    const dayRows = within(days).getAllByRole("row").map((row) => [...row.querySelectorAll("th, td")].map((c) => c.textContent));
    expect(dayRows).toEqual([
      ["Day", "Orders recovered", "EUR"],
      ["Dec 2, 2026", "2", "€59.90"],
      ["Dec 4, 2026", "1", "€63.50"],
      ["Total", "3", "€123.40"],
    ]);
    expect(byDay.querySelector(".cmp-chart")?.getAttribute("aria-hidden")).toBe("true");
    const deferred = screen.getByRole("table", { name: "Deferred emails by reason, per email and variant" });
    expect(within(deferred).getByRole("row", { name: /Quiet hours/ }).textContent).toBe("Quiet hours505");
    expect(screen.getByRole("table", { name: "Skipped emails by reason, per email and variant" }).textContent).toContain("No marketing consent");

    await user.click(screen.getByRole("button", { name: "Download the audience (CSV)" }));
    expect(await screen.findByText("2 people, saved as audience-cmp_1.csv.")).toBeDefined();
    expect(click).toHaveBeenCalledOnce();
    expect(await created[0]?.text()).toBe(`email_sha256\n${"a".repeat(64)}\n${"b".repeat(64)}\n`);
  });

  it("says when no order was recovered yet, instead of a chart", async () => {
    renderConsole({
      groups: ["liaison-marketer"],
      path: "/campaigns/cmp_1/results",
      language: "fr",
      respond: campaignApi([aCampaign()], (request) =>
        new URL(request.url).pathname.endsWith("/stats") ? json({ ...stats, converted: 0, revenue: {}, by_day: [] }) : undefined,
      ),
    });
    const byDay = await screen.findByRole("region", { name: "Chiffre d’affaires récupéré par jour" });
    expect(within(byDay).getByText("Aucune commande récupérée pour l’instant : le graphique apparaîtra avec la première.")).toBeDefined();
    expect(byDay.querySelector(".cmp-chart")).toBeNull();
    expect(within(byDay).queryByRole("table")).toBeNull();
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
