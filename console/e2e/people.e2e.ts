// The people screens in a real browser against the local stack: a support agent works a
// case in its conversation (a note, an assignment, a close with a resolution) and opens its
// author's contact page; an admin finds the contact, exports it (a file is downloaded) and
// erases it after typing the confirmation; every staff group sees the reports, with a chart
// and a table, cases within and past their SLA among them. Each screen passes axe-core, is photographed, and logs no Content-Security-
// Policy violation.

import { readFile } from "node:fs/promises";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { defaultRange } from "../src/people/reports";
import { api, createSource, deliver, staffToken } from "./seed";
import { expectAccessible, shot, signIn, type Group } from "./steps";

const STAMP = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const EMAIL = `people-${STAMP}@example.com`;
const TEXT = `My order never arrived and nobody answers, this is unacceptable (order ${STAMP})`;

let caseId = "";
let contactId = "";

interface CaseItem {
  id: string;
  event_id: string;
  contact_id?: string;
}

/** The open case opened from event `eventId`, through the staff API's pages. */
async function findCase(request: APIRequestContext, token: string, eventId: string): Promise<CaseItem | undefined> {
  let after: string | null = null;
  do {
    const query: string = after === null ? "" : `&after=${encodeURIComponent(after)}`;
    const page: { cases: CaseItem[]; next: string | null } = await api(request, token, "GET", `/admin/cases?status=open&limit=100${query}`);
    const found = page.cases.find((c) => c.event_id === eventId);
    if (found !== undefined) return found;
    after = page.next;
  } while (after !== null);
  return undefined;
}

/**
 * Runs `fn` with `Date.now` on the stack's clock (`/_local/clock`), which other scenes may
 * have moved ahead of this machine's: a webhook's timestamp must be within 5 minutes of it.
 */
async function onStackTime<T>(request: APIRequestContext, fn: (now: number) => Promise<T>): Promise<T> {
  const clock = await request.get("/_local/clock");
  const stackNow = clock.ok() ? Date.parse(((await clock.json()) as { now: string }).now) : Number.NaN;
  const offset = Number.isNaN(stackNow) ? 0 : stackNow - Date.now();
  const realNow = Date.now;
  Date.now = () => realNow() + offset;
  try {
    return await fn(Date.now());
  } finally {
    Date.now = realNow;
  }
}

test.beforeAll(async ({ playwright }) => {
  const request = await playwright.request.newContext({ baseURL: process.env.LIAISON_URL ?? "http://127.0.0.1:3000" });
  const source = await createSource(request, `People scene ${STAMP}`);
  const event = (await onStackTime(request, (now) =>
    deliver(request, source, {
      type: "contribution.created",
      data: {
        id: `people-${STAMP}`,
        kind: "comment",
        text: TEXT,
        moderation: "published",
        created_at: new Date(now).toISOString(),
        author: { name: "Dominique", email: EMAIL },
      },
    }),
  )) as { id: string };
  // A second case, from someone nobody erases: the SLA report has a case to count.
  await onStackTime(request, (now) =>
    deliver(request, source, {
      type: "contribution.created",
      data: {
        id: `people-sla-${STAMP}`,
        kind: "comment",
        text: `My parcel is two weeks late and nobody answers, this is unacceptable (order ${STAMP}-2)`,
        moderation: "published",
        created_at: new Date(now).toISOString(),
        author: { name: "Sacha", email: `people-sla-${STAMP}@example.com` },
      },
    }),
  );
  const support = await staffToken(request, "liaison-support");
  await expect
    .poll(async () => (await findCase(request, support, event.id))?.contact_id ?? "", { timeout: 30_000, message: "the case is opened" })
    .not.toBe("");
  const found = await findCase(request, support, event.id);
  caseId = found?.id ?? "";
  contactId = found?.contact_id ?? "";
  await request.dispose();
});

/** Console messages that tell of a Content-Security-Policy violation. */
function watchPolicy(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content[ -]Security[ -]Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

/** Goes to a console path without a reload (a reload signs out: the token is in memory). */
async function go(page: Page, path: string): Promise<void> {
  await page.evaluate((to) => {
    window.history.pushState({}, "", to);
    window.dispatchEvent(new PopStateEvent("popstate"));
  }, `/console${path}`);
}

test("a support agent notes, assigns and closes a case, then opens its author", async ({ page }) => {
  const violations = watchPolicy(page);
  await signIn(page, "liaison-support", "agent@brand.example");
  await go(page, `/cases/${caseId}`);
  await expect(page.getByRole("heading", { level: 1, name: "Case" })).toBeVisible();
  await expect(page.getByText(TEXT, { exact: true })).toBeVisible();
  const author = page.getByRole("region", { name: "The author" });
  await expect(author.getByText(EMAIL).first()).toBeVisible();
  await expect(page.getByText("No answer yet.")).toBeVisible();
  await expectAccessible(page);
  await shot(page, "people-case");

  await page.getByRole("textbox", { name: "New note" }).fill("Courier says the parcel was lost; reshipping today.");
  await page.getByRole("button", { name: "Add the note" }).click();
  await expect(page.getByText("Note added.")).toBeVisible();
  await expect(page.getByText("Courier says the parcel was lost; reshipping today.")).toBeVisible();

  await page.getByRole("button", { name: "Assign to me" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Assigned to agent@brand.example." })).toBeVisible();

  await page.getByRole("textbox", { name: "Resolution (private)" }).fill("Reshipped with express delivery.");
  await page.getByRole("button", { name: "Close the case" }).click();
  await expect(page.getByText("The case is closed.")).toBeVisible();
  await expect(page.getByText("Reshipped with express delivery.")).toBeVisible();
  await expectAccessible(page);
  await shot(page, "people-case-closed");

  await author.getByRole("link", { name: "Open their contact page" }).click();
  await expect(page.getByRole("heading", { level: 1, name: EMAIL })).toBeVisible();
  await expect(page.getByRole("region", { name: "Timeline" }).getByText(TEXT).first()).toBeVisible();
  // Export and erasure are an admin's.
  await expect(page.getByRole("button", { name: "Download the export" })).toHaveCount(0);
  await expectAccessible(page);
  await shot(page, "people-contact");
  expect(violations).toEqual([]);
});

test("an admin finds the contact, exports it and erases it after typing the confirmation", async ({ page, playwright }) => {
  const violations = watchPolicy(page);
  await signIn(page, "liaison-admin", "admin@brand.example");
  await go(page, "/contacts");
  await expect(page.getByRole("heading", { level: 1, name: "Contacts" })).toBeVisible();
  await page.getByRole("textbox", { name: "Email address" }).fill(EMAIL);
  await page.getByRole("button", { name: "Search" }).click();
  const result = page.getByRole("link", { name: EMAIL });
  await expect(result).toBeVisible();
  await expectAccessible(page);
  await shot(page, "people-contacts-search");
  await result.click();
  await expect(page.getByRole("heading", { level: 1, name: EMAIL })).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download the export" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^contact-.+\.json$/);
  const exported = JSON.parse(await readFile(await file.path(), "utf8")) as { id: string; identities: { value?: string }[] };
  expect(exported.id).toBe(contactId);
  expect(exported.identities.map((i) => i.value)).toContain(EMAIL);
  await expect(page.getByText(/^Downloaded contact-/)).toBeVisible();

  const erase = page.getByRole("region", { name: "Erase this contact" });
  const button = erase.getByRole("button", { name: "Erase permanently" });
  await expect(button).toBeDisabled();
  await erase.getByRole("textbox", { name: "Type the contact's id or email to confirm" }).fill(EMAIL.toUpperCase());
  await expect(button).toBeEnabled();
  await expectAccessible(page);
  await shot(page, "people-contact-admin");
  await button.click();
  await expect(page.getByText(`Contact ${contactId} was erased.`)).toBeVisible({ timeout: 30_000 });
  await expect(page).toHaveURL(/\/console\/contacts$/);

  const request = await playwright.request.newContext({ baseURL: process.env.LIAISON_URL ?? "http://127.0.0.1:3000" });
  const admin = await staffToken(request, "liaison-admin");
  await api(request, admin, "GET", `/admin/contacts/${contactId}`, undefined, [404]);
  await request.dispose();
  expect(violations).toEqual([]);
});

for (const group of ["liaison-admin", "liaison-support", "liaison-sales", "liaison-marketer"] as const satisfies readonly Group[]) {
  test(`${group} sees the reports, each as a chart and a table`, async ({ page, request }) => {
    const violations = watchPolicy(page);
    // The SLA figures of the page's default range, as the API gives them (once it counts a case).
    const token = await staffToken(request, group);
    const range = defaultRange(Date.now());
    const slaOf = async () =>
      (await api<{ sla: { within: number; past: number; running: number } }>(request, token, "GET", `/admin/reports/response-times?from=${range.from}&to=${range.to}`)).sla;
    await expect.poll(async () => {
      const counts = await slaOf();
      return counts.within + counts.past + counts.running;
    }, { timeout: 30_000, message: "a case counted against its SLA" }).toBeGreaterThan(0);
    const counts = await slaOf();
    await signIn(page, group, `${group.replace("liaison-", "")}@brand.example`);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Reports" })).toBeVisible();
    const contributions = page.getByRole("region", { name: "Contributions" });
    await expect(contributions.getByRole("table", { name: "Contributions by platform" })).toBeVisible();
    await expect(contributions.locator(".pp-chart .recharts-surface")).toBeVisible();
    await expect(contributions.locator(".pp-chart .recharts-rectangle").first()).toBeVisible();
    await expect(page.getByRole("table", { name: "Time to the first answer and to close" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Revenue" })).toBeVisible();
    // Cases within and past their SLA: the totals in words, a chart (stacked bars per
    // priority) and its table, P1 to P3 and the total.
    const sla = page.getByRole("region", { name: "Cases within and past their SLA", exact: true });
    const n = new Intl.NumberFormat("en-GB");
    const total = counts.within + counts.past + counts.running;
    await expect(sla.locator(".pp-total")).toHaveText(
      `${n.format(total)} case${total === 1 ? "" : "s"} with an SLA: ${n.format(counts.within)} within, ${n.format(counts.past)} past, ${n.format(counts.running)} running.`,
    );
    const slaTable = sla.getByRole("table", { name: "Cases within and past their SLA, per priority" });
    await expect(slaTable).toBeVisible();
    const headers = await slaTable.getByRole("rowheader").allTextContents();
    expect(headers.slice(0, 3)).toEqual(["P1", "P2", "P3"]);
    expect(headers.at(-1)).toBe("Total");
    await expect(slaTable.getByRole("row").last().getByRole("cell").last()).toHaveText(n.format(total));
    await expect(sla.locator(".pp-chart .recharts-wrapper > svg.recharts-surface")).toBeVisible();
    await expect(sla.locator(".pp-chart .recharts-rectangle").first()).toBeVisible();
    // The legend in the series' order: within, past, running.
    await expect(sla.locator(".pp-chart .recharts-legend-item-text")).toHaveText(["Within SLA", "Past SLA", "Running"]);
    await contributions.getByRole("radio", { name: "Day" }).check({ force: true });
    await expect(contributions.getByRole("table", { name: "Contributions by day" })).toBeVisible();
    await expect(page.getByRole("alert")).toHaveCount(0);
    await expectAccessible(page);
    if (group === "liaison-admin") await shot(page, "people-reports");
    expect(violations).toEqual([]);
  });
}

test("the reports fit a phone, in French", async ({ browser }) => {
  const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const violations = watchPolicy(page);
  await signIn(page, "liaison-marketer", "camille@brand.example");
  await page.getByRole("link", { name: "Rapports" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Rapports" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Contributions par plateforme" })).toBeVisible();
  await expect(
    page.getByRole("region", { name: "Cas dans les délais et hors délai (SLA)" }).getByRole("table", { name: "Cas dans les délais et hors délai, par priorité" }),
  ).toBeVisible();
  // One column: nothing wider than the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expectAccessible(page);
  await shot(page, "people-reports-fr-phone");
  expect(violations).toEqual([]);
  await context.close();
});
