// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { resetSessionForTests } from "../auth/session";
import { json, renderConsole, type Respond } from "../test/render";
import { fallbacksOf, lastDays, parseBudget, type ClassifierReport, type ClassifierSetting } from "./classifier";

afterEach(() => {
  cleanup();
  resetSessionForTests();
});

const OFF: ClassifierSetting = {
  enabled: false,
  daily_budget_usd: 1,
  min_daily_budget_usd: 0.01,
  max_daily_budget_usd: 100,
  model_id: "eu.amazon.nova-micro-v1:0",
  updated_at: null,
  updated_by: null,
};

const REPORT: ClassifierReport = {
  from: "2026-11-08",
  to: "2026-12-07",
  total: { calls: 120, hosted: 112, fallbacks: { refused: 3, timeout: 5, budget: 0 }, cost_usd: 0.0042 },
  days: [{ day: "2026-12-07", calls: 120, hosted: 112, fallbacks: { refused: 3, timeout: 5 }, cost_usd: 0.0042 }],
};

function api(saved: unknown[], status = 200): Respond {
  return (request, body) => {
    const { pathname } = new URL(request.url);
    const route = `${request.method} ${pathname}`;
    if (route === "GET /admin/rules") return json({ rules: [] });
    if (route === "GET /admin/classifier") return json(OFF);
    if (route === "GET /admin/reports/classifier") return json(REPORT);
    if (route === "PUT /admin/classifier") {
      saved.push(body);
      if (status !== 200) return json({ error: { code: "validation", message: "daily_budget_usd: at most 100", field: "daily_budget_usd" } }, status);
      return json({ ...OFF, ...(body as object), updated_at: "2026-12-07T10:00:00Z", updated_by: "camille" });
    }
    return json({ error: { code: "not_found", message: "No such route." } }, 404);
  };
}

describe("the hosted model's section of the rules page", () => {
  it("is off by default, and an administrator turns it on with a budget", async () => {
    const user = userEvent.setup();
    const saved: unknown[] = [];
    renderConsole({ groups: ["liaison-admin"], path: "/rules", respond: api(saved) });
    const section = await screen.findByRole("region", { name: "Hosted model" });
    const box = await within(section).findByRole("checkbox", { name: "Label contributions with the hosted model" });
    expect((box as HTMLInputElement).checked).toBe(false);
    expect(within(section).getByText("Model: eu.amazon.nova-micro-v1:0")).toBeDefined();
    await user.click(box);
    const budget = within(section).getByRole("textbox", { name: /Daily budget/ });
    await user.clear(budget);
    await user.type(budget, "2,5");
    await user.click(within(section).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(saved).toEqual([{ enabled: true, daily_budget_usd: 2.5 }]));
    expect(await within(section).findByText(/the hosted model labels contributions from now on/)).toBeDefined();
  });

  it("refuses a budget out of range without asking the API, and shows the API's refusal on the field", async () => {
    const user = userEvent.setup();
    const saved: unknown[] = [];
    renderConsole({ groups: ["liaison-admin"], path: "/rules", respond: api(saved, 400) });
    const section = await screen.findByRole("region", { name: "Hosted model" });
    const budget = await within(section).findByRole("textbox", { name: /Daily budget/ });
    await user.clear(budget);
    await user.type(budget, "0");
    await user.click(within(section).getByRole("button", { name: "Save" }));
    expect(await within(section).findByText("From 0.01 to 100.")).toBeDefined();
    expect(saved).toEqual([]);
    await user.clear(budget);
    await user.type(budget, "50");
    await user.click(within(section).getByRole("button", { name: "Save" }));
    expect(await within(section).findByText("daily_budget_usd: at most 100")).toBeDefined();
    expect(saved).toHaveLength(1);
  });

  it("shows the last 30 days' calls, fall-backs and cost", async () => {
    renderConsole({ groups: ["liaison-admin"], path: "/rules", respond: api([]) });
    const list = await screen.findByLabelText("The hosted model over the last 30 days (1 days with calls)");
    expect(within(list).getByText("120")).toBeDefined();
    expect(within(list).getByText("too slow: 5, not a label: 3")).toBeDefined();
    expect(within(list).getByText("US$0.0042")).toBeDefined();
  });

  it("is not shown to customer service, who ask the API nothing about it", async () => {
    const { requests } = renderConsole({ groups: ["liaison-support"], path: "/rules", respond: api([]) });
    expect(await screen.findByRole("heading", { level: 1, name: "Rules" })).toBeDefined();
    expect(screen.queryByRole("region", { name: "Hosted model" })).toBeNull();
    expect(requests.some((r) => r.path.includes("classifier"))).toBe(false);
  });
});

describe("the hosted model's form and report", () => {
  it("reads a budget in dollars, with a comma or a point", () => {
    expect(parseBudget("1.5", 0.01, 100)).toEqual({ ok: true, value: 1.5 });
    expect(parseBudget(" 2,25 ", 0.01, 100)).toEqual({ ok: true, value: 2.25 });
    expect(parseBudget("", 0.01, 100)).toEqual({ ok: false, reason: "number" });
    expect(parseBudget("ten", 0.01, 100)).toEqual({ ok: false, reason: "number" });
    expect(parseBudget("0.001", 0.01, 100)).toEqual({ ok: false, reason: "range" });
    expect(parseBudget("100.01", 0.01, 100)).toEqual({ ok: false, reason: "range" });
  });

  it("covers the last 30 days up to today and lists the fall-backs that happened", () => {
    expect(lastDays(new Date("2026-12-07T23:00:00Z"))).toEqual({ from: "2026-11-08", to: "2026-12-07" });
    expect(fallbacksOf(REPORT)).toEqual([
      { reason: "timeout", count: 5 },
      { reason: "refused", count: 3 },
    ]);
  });
});
