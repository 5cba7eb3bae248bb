// The inbox in a real browser against the local stack: a support agent signs in through
// the development sign-in page, finds the case and the held comment the journey delivered,
// approves the comment with one key; a marketer sees the questions but not the cases; an
// agent filters the cases by source and "Unassigned", the filters in the address. Every
// screen passes axe-core without a serious or critical violation, and is photographed.

import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { api, createSource, deliver, staffToken, type Source } from "./seed";
import { expectAccessible, shot, signIn } from "./steps";

/** Delivered by tests/tests/journeys/browser.rs before the scenes run. */
const HELD = process.env.LIAISON_HELD_TEXT ?? "";
const QUESTION = process.env.LIAISON_QUESTION_TEXT ?? "";

test.beforeAll(() => {
  expect(HELD, "LIAISON_HELD_TEXT: run through the Rust journey").not.toBe("");
});

test("a support agent approves a held comment with one key, and sees its case", async ({ page }) => {
  await signIn(page, "liaison-support");
  await expect(page.getByRole("heading", { name: "Inbox" })).toBeVisible();
  // Measured, not asserted (timing depends on the machine): the closing notes report it.
  const timing = await page.evaluate(() => {
    const [nav] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
    return nav === undefined ? null : { interactive: Math.round(nav.domInteractive), loaded: Math.round(nav.loadEventEnd) };
  });
  console.log(`console first load on the local stack: ${JSON.stringify(timing)} ms`);
  await expect(page.getByText(HELD).first()).toBeVisible();
  await expectAccessible(page);
  await shot(page, "inbox-cases");

  await page.getByRole("tab", { name: "Held contributions" }).click();
  const item = page.getByRole("article", { name: /Held contribution from/ }).filter({ hasText: HELD });
  await expect(item).toBeVisible();
  await expectAccessible(page);
  await shot(page, "inbox-held");
  await item.focus();
  await page.keyboard.press("a");
  await expect(page.getByText(/^Approved:/)).toBeVisible();
  await expect(item).toHaveCount(0);
});

test("a marketer sees the questions, marketing's first, and not the cases", async ({ page }) => {
  await signIn(page, "liaison-marketer", "camille@brand.example");
  await expect(page.getByRole("tab", { name: "Questions" })).toBeVisible();
  await expect(page.getByRole("tab", { name: "Cases" })).toHaveCount(0);
  await page.getByRole("tab", { name: "Questions" }).click();
  // The question is customer service's: the marketer's own list is empty until "All".
  await expect(page.getByRole("radio", { name: "Marketing" })).toBeChecked();
  await expect(page.getByText("No open questions.")).toBeVisible();
  await page.getByRole("radiogroup", { name: "Owner" }).getByText("All", { exact: true }).click();
  await expect(page.getByText(QUESTION).first()).toBeVisible();
  await expectAccessible(page);
  await shot(page, "inbox-questions");
});

test("the console speaks French to a French browser, on a phone", async ({ browser }) => {
  const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto("/console/");
  await expect(page.getByRole("button", { name: "Se connecter" })).toBeVisible();
  await expectAccessible(page);
  await shot(page, "landing-fr-phone");
  await context.close();
});

// The filters: three cases seeded here, two from one source (one of them assigned) and one
// from another; filtered by the first source and "Unassigned", only one remains.

const STAMP = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const incident = (n: string) => `My order never arrived and nobody answers, this is unacceptable (order ${STAMP}-${n})`;
const MATCHING = incident("a1");
const ASSIGNED = incident("a2");
const ELSEWHERE = incident("b1");
let filtered: Source | undefined;

/** The open case opened from event `eventId`, through the staff API's pages. */
async function caseOf(request: APIRequestContext, token: string, eventId: string): Promise<string | undefined> {
  let after: string | null = null;
  do {
    const more: string = after === null ? "" : `&after=${encodeURIComponent(after)}`;
    const page: { cases: { id: string; event_id: string }[]; next: string | null } = await api(
      request,
      token,
      "GET",
      `/admin/cases?status=open&limit=100${more}`,
    );
    const found = page.cases.find((c) => c.event_id === eventId);
    if (found !== undefined) return found.id;
    after = page.next;
  } while (after !== null);
  return undefined;
}

/** Delivers an incident comment to `source` (dated on the stack's clock); the case it opens. */
async function openCase(request: APIRequestContext, token: string, source: Source, text: string, id: string): Promise<string> {
  const clock = await request.get("/_local/clock");
  const stackNow = clock.ok() ? Date.parse(((await clock.json()) as { now: string }).now) : Number.NaN;
  const event = (await deliver(request, source, {
    type: "contribution.created",
    data: {
      id,
      kind: "comment",
      text,
      moderation: "published",
      created_at: new Date(Number.isNaN(stackNow) ? Date.now() : stackNow).toISOString(),
      author: { name: "Dominique", email: `${id}@example.com` },
    },
  })) as { id: string };
  let caseId: string | undefined;
  await expect
    .poll(async () => (caseId = await caseOf(request, token, event.id)), { timeout: 30_000, message: `the case of ${id} is opened` })
    .toBeDefined();
  return caseId ?? "";
}

test.describe("the inbox's filters", () => {
  test.beforeAll(async ({ playwright }) => {
    const request = await playwright.request.newContext({ baseURL: process.env.LIAISON_URL ?? "http://127.0.0.1:3000" });
    const support = await staffToken(request, "liaison-support");
    filtered = await createSource(request, `Filtered blog ${STAMP}`);
    const other = await createSource(request, `Other blog ${STAMP}`);
    await openCase(request, support, filtered, MATCHING, `filters-${STAMP}-a1`);
    const assigned = await openCase(request, support, filtered, ASSIGNED, `filters-${STAMP}-a2`);
    await openCase(request, support, other, ELSEWHERE, `filters-${STAMP}-b1`);
    await api(request, support, "POST", `/admin/cases/${assigned}/assign`, { assignee: "sam@brand.example" });
    await request.dispose();
  });

  /** The filtered address: the source and "unassigned", in any order, beside anything else. */
  function filteredUrl(sourceId: string): RegExp {
    return new RegExp(`/console/inbox\\?(?=.*\\bsource=${sourceId}\\b)(?=.*\\bassignee=none\\b)`);
  }

  async function expectOnlyTheMatchingCase(page: Page): Promise<void> {
    const panel = page.getByRole("tabpanel", { name: "Cases" });
    await expect(panel.getByText(MATCHING)).toBeVisible();
    await expect(panel.getByRole("listitem")).toHaveCount(1);
    await expect(panel.getByText(ASSIGNED)).toHaveCount(0);
    await expect(panel.getByText(ELSEWHERE)).toHaveCount(0);
  }

  test("an agent filters the cases by a source and by unassigned, in the address", async ({ page }) => {
    const sourceId = filtered?.id ?? "";
    await signIn(page, "liaison-support");
    const bar = page.getByRole("region", { name: "Filters" });
    await expect(page.getByRole("tabpanel", { name: "Cases" }).getByText(ASSIGNED)).toBeVisible();

    // An agent may not list the sources: the source is typed, by its id, applied on Enter.
    const source = bar.getByRole("textbox", { name: "Source" });
    await source.fill(sourceId);
    await source.press("Enter");
    await expect(page).toHaveURL(new RegExp(`source=${sourceId}`));
    await expect(page.getByRole("tabpanel", { name: "Cases" }).getByText(ASSIGNED)).toBeVisible();
    await expect(page.getByRole("tabpanel", { name: "Cases" }).getByText(ELSEWHERE)).toHaveCount(0);

    // "Unassigned", from the keyboard.
    await source.press("Tab");
    await expect(bar.getByRole("button", { name: /Platform/ })).toBeFocused();
    const unassigned = bar.getByRole("button", { name: "Unassigned" });
    await unassigned.focus();
    await page.keyboard.press("Space");
    await expect(unassigned).toHaveAttribute("aria-pressed", "true");
    await expect(page).toHaveURL(filteredUrl(sourceId));
    await expectOnlyTheMatchingCase(page);
    await expectAccessible(page);
    await shot(page, "inbox-filtered");

    // The back button undoes the last filter, forward puts it back.
    await page.goBack();
    await expect(unassigned).toHaveAttribute("aria-pressed", "false");
    await expect(page.getByRole("tabpanel", { name: "Cases" }).getByText(ASSIGNED)).toBeVisible();
    await page.goForward();
    await expectOnlyTheMatchingCase(page);

    // Another tab keeps the filters; coming back, the same list.
    await page.getByRole("tab", { name: "Questions" }).click();
    await expect(page).toHaveURL(/tab=questions/);
    await expect(page).toHaveURL(filteredUrl(sourceId));
    await page.getByRole("tab", { name: "Cases" }).click();
    await expectOnlyTheMatchingCase(page);

    // On a phone, the bar wraps and nothing overflows the screen's width.
    await page.setViewportSize({ width: 390, height: 844 });
    await expectOnlyTheMatchingCase(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAccessible(page);
    await shot(page, "inbox-filtered-phone");
    await page.setViewportSize({ width: 1280, height: 720 });

    // A reload signs out (the token lives in memory) but keeps the address, filters and all.
    const address = page.url();
    await page.reload();
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    expect(page.url()).toBe(address);
    // Signed in again from there, the console comes back to that address: the filtered list.
    await signIn(page, "liaison-support", "agent@brand.example", true);
    expect(page.url()).toBe(address);
    await expectOnlyTheMatchingCase(page);
    await expect(bar.getByRole("textbox", { name: "Source" })).toHaveValue(sourceId);
    await expect(bar.getByRole("button", { name: "Unassigned" })).toHaveAttribute("aria-pressed", "true");

    // A typed filter applies as its field is left, for a tab too: both stay.
    await bar.getByRole("textbox", { name: "Tag" }).fill(`no-such-tag-${STAMP}`);
    await page.getByRole("tab", { name: "Questions" }).click();
    await expect(page).toHaveURL(new RegExp(`tab=questions.*tag=no-such-tag-${STAMP}|tag=no-such-tag-${STAMP}.*tab=questions`));
    await expect(page.getByText("No question matches these filters.")).toBeVisible();

    // "Clear filters" from the empty list: everything again, the tab kept.
    await page.getByRole("tabpanel", { name: "Questions" }).getByRole("button", { name: "Clear filters" }).click();
    await expect(page).toHaveURL(/\/console\/inbox\?tab=questions$/);
    await expect(bar.getByRole("button", { name: "Clear filters" })).toBeFocused();
    await page.getByRole("tab", { name: "Cases" }).click();
    await expect(page.getByRole("tabpanel", { name: "Cases" }).getByText(ELSEWHERE)).toBeVisible();
  });
});

// Learning from staff: an agent relabels a case's contribution (it was not an incident),
// sees the correction on the conversation, and finds it measured in the reports. The brand's
// word model learns from it within a minute, for texts sharing three words or pairs with it:
// its words are shared with no other scene's (people.e2e.ts opens cases from
// "My order never arrived…" afterwards, which must stay incidents).

const RELABELLED = `Kettle leaks scalding water, burnt my hand, dangerous, refund me (kettle ${STAMP})`;
let relabelCase = "";

test.describe("learning from staff", () => {
  test.beforeAll(async ({ playwright }) => {
    const request = await playwright.request.newContext({ baseURL: process.env.LIAISON_URL ?? "http://127.0.0.1:3000" });
    const support = await staffToken(request, "liaison-support");
    const source = await createSource(request, `Relabel blog ${STAMP}`);
    relabelCase = await openCase(request, support, source, RELABELLED, `relabel-${STAMP}-r1`);
    await request.dispose();
  });

  test("an agent relabels a case's contribution, and the report measures the classifier on it", async ({ page }) => {
    await page.goto(`/console/cases/${encodeURIComponent(relabelCase)}`);
    await signIn(page, "liaison-support", "agent@brand.example", true);
    const contribution = page.getByRole("region", { name: "What the person wrote" });
    await expect(contribution.getByText(RELABELLED)).toBeVisible();
    // What decided the label, read from the author's timeline.
    await expect(contribution.getByText("Decided by")).toBeVisible();

    const select = contribution.getByRole("button", { name: /What is it really\?/ });
    await select.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("option", { name: "Other" }).click();
    await expect(select).toContainText("Other");
    await contribution.getByRole("button", { name: "Relabel" }).focus();
    await page.keyboard.press("Enter");
    await expect(contribution.getByText("Relabelled: Other.")).toBeVisible();
    await expect(contribution.getByText(/Liaison said Incident; your team said Other\./)).toBeVisible();
    await expectAccessible(page);
    await shot(page, "conversation-relabelled");

    // The close offers to say what it really was (not sent unless ticked).
    await expect(page.getByRole("checkbox", { name: "It was not an incident" })).toBeVisible();

    await page.getByRole("navigation").getByRole("link", { name: "Reports" }).click();
    const section = page.getByRole("region", { name: "Classifier measured on your corrections" });
    await expect(section.getByRole("table", { name: "Precision and recall per label, on your team’s corrections" })).toBeVisible();
    await expect(section.getByText(/^\d+ corrections? \(your team said another label than Liaison’s\)\.$/)).toBeVisible();
    await expectAccessible(page);
    await shot(page, "reports-corrections");
  });
});
