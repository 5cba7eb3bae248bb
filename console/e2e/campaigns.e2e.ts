// Campaigns in a real browser against the local stack: a marketer writes a three-email
// abandoned-cart campaign with the form, previews email 2 on a real cart, edits it and sees
// the preview follow before anything is saved (an undefined variable said on its field),
// schedules it; a checkout arrives for a customer who accepted marketing, the stack's clock
// moves on and the scheduler runs, and the results show the email sent and no revenue per
// day yet; the audience downloads as CSV.
// A support agent finds no campaigns. Every screen passes axe-core, is photographed, and
// logs no Content-Security-Policy violation.

import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { api, createSource, deliver, staffToken } from "./seed";
import { expectAccessible, shot, signIn } from "./steps";

/** Every console message that reports a Content-Security-Policy violation. */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/content[- ]security[- ]policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

/** The local stack's clock (it only moves forwards). */
async function stackNow(request: APIRequestContext): Promise<Date> {
  const response = await request.get("/_local/clock");
  expect(response.status()).toBe(200);
  return new Date(((await response.json()) as { now: string }).now);
}

/** A `checkout.updated` (docs/ingest.md), as a shop sends it, at the stack's time. */
async function checkout(
  request: APIRequestContext,
  cartId: string,
  customer: { id: string; email: string; first_name: string; accepts_marketing: boolean },
  lines: { title: string; quantity: number; unit_price: string }[],
) {
  const now = (await stackNow(request)).toISOString();
  const total = lines.reduce((sum, l) => sum + Number(l.unit_price) * l.quantity, 0).toFixed(2);
  return {
    type: "checkout.updated",
    timestamp: now,
    data: {
      id: cartId,
      checkout_id: `chk_${cartId}`,
      customer,
      currency: "EUR",
      lines,
      total,
      recovery_url: `https://shop.example.org/checkouts/${cartId}/recover`,
      updated_at: now,
    },
  };
}

interface Stats {
  entered: number;
  steps: { step: number; variant: string; sent: number }[];
}

test("a marketer writes, previews and schedules a campaign, and sees its first email sent", async ({ page, request }) => {
  test.setTimeout(240_000);
  const violations = watchCsp(page);
  const run = randomBytes(4).toString("hex");
  const source = await createSource(request, `Campaign shop ${run}`);
  // A cart that already exists, to preview on (nobody consented: it gets nothing).
  const previewCart = `cart_preview_${run}`;
  await deliver(
    request,
    source,
    await checkout(request, previewCart, { id: `cus_p_${run}`, email: `lea.${run}@example.org`, first_name: "Léa", accepts_marketing: false }, [
      { title: "Théière en fonte 0,8 L", quantity: 1, unit_price: "59.90" },
    ]),
  );

  await signIn(page, "liaison-marketer", `camille.${run}@brand.example`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Campaigns" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Campaigns" })).toBeVisible();
  await expect(page.getByText(/Loading the campaigns/)).toHaveCount(0);
  await expectAccessible(page);
  await shot(page, "campaigns-list");

  // The form.
  await page.getByRole("link", { name: "New campaign" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New campaign" })).toBeVisible();
  const name = `Abandoned carts ${run}`;
  await page.getByRole("textbox", { name: "Name" }).fill(name);
  await page.getByRole("spinbutton", { name: "Abandoned after" }).fill("5");
  await page.getByRole("combobox", { name: "Unit of “Abandoned after”" }).selectOption("minutes");
  await page.getByRole("textbox", { name: "Currencies (optional)" }).fill("EUR");
  await page.getByRole("textbox", { name: "Sources (optional)" }).fill(source.id);
  await page.getByRole("button", { name: "Add an email" }).click();
  await page.getByRole("button", { name: "Add an email" }).click();
  const emails = page.getByRole("group", { name: /^Email \d/ });
  await expect(emails).toHaveCount(3);
  const third = page.getByRole("group", { name: /^Email 3/ });
  await third.getByRole("textbox", { name: "Subject" }).fill("Last call: 10% off with {{ incentive_code }}");
  await third.getByRole("textbox", { name: "Incentive code (optional)" }).fill("MERCI10");
  // Any hour will do for this scene (the stack's clock is moved on below).
  await page.getByRole("checkbox", { name: "Send only during the day (quiet hours)" }).uncheck();
  await expectAccessible(page);
  await shot(page, "campaigns-new");
  await page.getByRole("button", { name: "Create the draft" }).click();
  await expect(page).toHaveURL(/\/console\/campaigns\/cmp_[a-z0-9]+$/);
  await expect(page.getByText("The draft is saved. Preview its emails below, then schedule it.")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const campaignId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
  const marketer = await staffToken(request, "liaison-marketer");
  // Every save of this campaign from here on (there should be none until "Schedule").
  const saves: string[] = [];
  page.on("request", (sent) => {
    if (sent.method() === "PUT" && new URL(sent.url()).pathname === `/admin/campaigns/${campaignId}`) saves.push(sent.url());
  });

  // Email 2 on the sample cart, then on the real one.
  await page.getByRole("button", { name: "Preview email 2" }).click();
  const preview = page.getByRole("region", { name: "Preview of email 2" });
  await expect(preview.getByText("Email 2, variant A, on the sample cart.")).toBeVisible();
  await expect(preview.getByText("Still thinking about Lampe Atelier, laiton?")).toBeVisible();
  await preview.getByText("A real cart", { exact: true }).click();
  await preview.getByRole("textbox", { name: "Source id" }).fill(source.id);
  await preview.getByRole("textbox", { name: "Cart id in the shop" }).fill(previewCart);
  await expect(preview.getByText("Email 2, variant A, on the real cart as it is now.")).toBeVisible();
  await expect(preview.getByText("Still thinking about Théière en fonte 0,8 L?")).toBeVisible();
  // The HTML shows in its sandboxed frame (no script, no same origin).
  const frame = page.frameLocator('iframe[title="Email 2 as HTML"]');
  await expect(frame.getByText(/Your cart \(59\.90 EUR\) is still here/)).toBeVisible();
  await expect(preview.locator("iframe")).toHaveAttribute("sandbox", "");

  // The preview follows typing, before any save: the subject and the HTML as typed render
  // on the real cart a moment later, and the stored campaign is unchanged.
  const second = page.getByRole("group", { name: /^Email 2/ }).first();
  const subject2 = second.getByRole("textbox", { name: "Subject" });
  const html2 = second.getByRole("textbox", { name: "Body (HTML)" });
  const savedHtml = await html2.inputValue();
  await subject2.fill("Just for you, {{ contact.first_name }}: {{ cart.lines[0].title }}");
  await expect(preview.locator(".cmp-email-subject")).toHaveText("Subject: Just for you, Léa: Théière en fonte 0,8 L");
  await html2.fill(`<p>Edited live: {{ cart.total }} {{ cart.currency }}</p>\n${savedHtml}`);
  await expect(frame.getByText("Edited live: 59.90 EUR")).toBeVisible();
  await expect(preview.getByText("Email 2, variant A, on the real cart as it is now.")).toBeVisible();
  expect(saves).toEqual([]);
  const stored = await api<{ steps: { subject: string; html: string }[] }>(request, marketer, "GET", `/admin/campaigns/${campaignId}`);
  expect(stored.steps[1]?.subject).toBe("Still thinking about {{ cart.lines[0].title }}?");
  expect(stored.steps[1]?.html).toBe(savedHtml);

  // An undefined variable: said on the field, with its line; the last email that rendered
  // stays, marked out of date.
  await html2.fill(`<p>Edited live: {{ cart.total }} {{ cart.currency }}</p>\n<p>{{ nope }}</p>\n${savedHtml}`);
  await expect(html2).toHaveAttribute("aria-invalid", "true");
  await expect(second.getByText(/^Line 2: undefined value/)).toBeVisible();
  await expect(second.getByText("The line reads:")).toBeVisible();
  await expect(preview.getByText("Out of date: the last version that rendered, not what is typed now.")).toBeVisible();
  await expect(preview.getByRole("status")).toContainText("“Body (HTML)” has an error (line 2: undefined value)");
  await expect(frame.getByText("Edited live: 59.90 EUR")).toBeVisible();
  await expect(html2).toBeFocused();
  expect(saves).toEqual([]);
  await shot(page, "campaigns-preview-error");
  await preview.getByText("Plain-text version", { exact: true }).click();
  await expect(preview.locator("iframe")).toHaveCount(0);
  await expectAccessible(page);
  await preview.getByText("HTML version", { exact: true }).click();
  // Fixed, it renders again and the error goes.
  await html2.fill(`<p>Edited live: {{ cart.total }} {{ cart.currency }}</p>\n${savedHtml}`);
  await expect(html2).not.toHaveAttribute("aria-invalid", "true");
  await expect(preview.getByText(/Out of date/)).toHaveCount(0);
  await expect(frame.getByText("Edited live: 59.90 EUR")).toBeVisible();
  await shot(page, "campaigns-preview");
  // Nothing was saved for the preview: no "saved elsewhere" warning either.
  await expect(page.getByText(/was saved elsewhere/)).toHaveCount(0);
  expect(saves).toEqual([]);
  // axe-core cannot run inside a frame without scripts (steps.ts's check would wait for it
  // for ever): the page is checked with the text part shown.
  await preview.getByText("Plain-text version", { exact: true }).click();
  await expect(preview.locator("pre")).toContainText("(59.90 EUR)");
  await expect(preview.locator("iframe")).toHaveCount(0);
  await expectAccessible(page);
  await shot(page, "campaigns-preview-text");

  // Schedule: it starts now, so it is active at once.
  const actions = page.getByRole("region", { name: "Actions" });
  await actions.getByRole("button", { name: "Schedule" }).click();
  await expect(actions.getByText("Scheduled: the campaign takes carts from its start date.")).toBeVisible();
  await expect(page.locator(".cmp-heading .cmp-status")).toHaveText("Active");
  await expect(actions.getByRole("button", { name: "Pause" })).toBeVisible();
  // Scheduling saved the edits first.
  expect(saves).toHaveLength(1);
  const scheduled = await api<{ steps: { subject: string }[] }>(request, marketer, "GET", `/admin/campaigns/${campaignId}`);
  expect(scheduled.steps[1]?.subject).toBe("Just for you, {{ contact.first_name }}: {{ cart.lines[0].title }}");

  // A customer who accepted marketing leaves a checkout; the campaign takes the cart.
  const buyerCart = `cart_buyer_${run}`;
  const buyer = { id: `cus_b_${run}`, email: `paul.${run}@example.org`, first_name: "Paul", accepts_marketing: true };
  const lines = [
    { title: "Sencha Premium 100 g", quantity: 2, unit_price: "12.50" },
    { title: "Théière en fonte 0,8 L", quantity: 1, unit_price: "59.90" },
  ];
  await deliver(request, source, await checkout(request, buyerCart, buyer, lines));
  // The carts function keeps the list of campaigns for a minute: until it sees the new one,
  // a fresh snapshot of the same cart (the shop sends one at each change) is sent again.
  let delivered = Date.now();
  await expect
    .poll(
      async () => {
        const { entered } = await api<Stats>(request, marketer, "GET", `/admin/campaigns/${campaignId}/stats`);
        if (entered === 0 && Date.now() - delivered > 15_000) {
          await deliver(request, source, await checkout(request, buyerCart, buyer, lines));
          delivered = Date.now();
        }
        return entered;
      },
      { timeout: 120_000, intervals: [1_000, 2_000, 3_000] },
    )
    .toBe(1);

  // Five minutes without activity: abandoned, email 1 due. The clock moves, the scheduler runs.
  const moved = await request.post("/_local/clock", { data: { advance_seconds: 6 * 60 } });
  expect(moved.status(), await moved.text()).toBe(200);
  await expect
    .poll(
      async () => {
        const fired = await request.post("/_local/schedules/RelaunchSchedulerFunction");
        expect(fired.status(), await fired.text()).toBe(200);
        const stats = await api<Stats>(request, marketer, "GET", `/admin/campaigns/${campaignId}/stats`);
        return stats.steps.find((s) => s.step === 0 && s.variant === "A")?.sent ?? 0;
      },
      { timeout: 90_000, intervals: [2_000, 3_000, 5_000] },
    )
    .toBe(1);

  // The results show it.
  await page.getByRole("navigation", { name: "Campaign" }).getByRole("link", { name: "Results" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Results: ${name}` })).toBeVisible();
  const funnel = page.getByRole("table", { name: "From carts entered to carts converted, per email and variant" });
  await expect(funnel.getByRole("row", { name: /^All emails/ }).getByRole("cell").nth(0)).toHaveText("1", { timeout: 30_000 });
  await expect(funnel.getByRole("row", { name: /^Email 1/ }).getByRole("cell").nth(1)).toHaveText("1");
  await expect(funnel.getByRole("row", { name: /^Email 2/ }).getByRole("cell").nth(1)).toHaveText("0");
  // Revenue per day: nothing converted in this scene, so its empty state (and no chart).
  const byDay = page.getByRole("region", { name: "Recovered revenue per day" });
  await expect(byDay.getByText("No order recovered yet: the chart appears with the first one.")).toBeVisible();
  await expect(byDay.locator(".cmp-chart")).toHaveCount(0);
  await expectAccessible(page);
  await shot(page, "campaigns-results");

  // The remarketing audience, as a CSV file made in the browser.
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download the audience (CSV)" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`audience-${campaignId}.csv`);
  const csv = await readFile(await download.path(), "utf8");
  expect(csv).toMatch(/^email_sha256\n[0-9a-f]{64}\n$/);
  await expect(page.getByText(`1 person, saved as audience-${campaignId}.csv.`)).toBeVisible();

  // On a phone: one column, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  // (The charts follow their box once the browser has told them its new size.)
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth))
    .toBeLessThanOrEqual(0);
  await expectAccessible(page);
  await shot(page, "campaigns-results-phone");
  await page.setViewportSize({ width: 1280, height: 720 });

  // Ending asks first.
  await page.getByRole("navigation", { name: "Campaign" }).getByRole("link", { name: "Settings and emails" }).click();
  await actions.getByRole("button", { name: "End" }).click();
  await expect(actions.getByRole("button", { name: "End the campaign" })).toBeFocused();
  await actions.getByRole("button", { name: "End the campaign" }).click();
  await expect(actions.getByText("Ended.")).toBeVisible();
  await expect(page.locator(".cmp-heading .cmp-status")).toHaveText("Ended");

  expect(violations).toEqual([]);
});

test("the form speaks French and fits a phone", async ({ browser }) => {
  const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const violations = watchCsp(page);
  await page.goto("/console/");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByLabel("Email").fill("camille.fr@brand.example");
  await page.getByRole("radio", { name: "liaison-marketer" }).check();
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/console\/inbox/);
  await page.getByRole("navigation", { name: /./ }).getByRole("link", { name: "Campagnes" }).click();
  await page.getByRole("link", { name: "Nouvelle campagne" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Nouvelle campagne" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Objet" })).toHaveValue(/votre panier vous attend/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // A save without a name: the API's 400 lands on the field, which gets the focus.
  await page.getByRole("button", { name: "Créer le brouillon" }).click();
  await expect(page.getByRole("textbox", { name: "Nom" })).toBeFocused();
  await expect(page.getByRole("textbox", { name: "Nom" })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("alert")).toContainText("La campagne n’a pas été enregistrée");
  await expectAccessible(page);
  await shot(page, "campaigns-new-fr-phone");
  expect(violations).toEqual([]);
  await context.close();
});

test("a support agent is refused the campaigns", async ({ page }) => {
  const violations = watchCsp(page);
  await signIn(page, "liaison-support");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Inbox" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Campaigns" })).toHaveCount(0);
  // Within the app (a reload would sign out: the token lives in memory only).
  await page.evaluate(() => {
    window.history.pushState({}, "", "/console/campaigns");
    window.dispatchEvent(new PopStateEvent("popstate"));
  });
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expectAccessible(page);
  await shot(page, "campaigns-refused");
  expect(violations).toEqual([]);
});
