// The setup screens in a real browser against the local stack: an admin registers a
// Discourse source with the form, reads the platform's steps, copies the webhook URL (read
// back from the clipboard) and sees the secret once; a delivery signed with it that Liaison
// ignores shows on the source's page. A support agent creates a rule, but has no Sources
// link and finds no page at /console/sources. Every screen passes axe-core and is
// photographed; a Content-Security-Policy violation in the page's console fails the scene.

import { createHmac, randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, shot, signIn } from "./steps";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

/** What the page says about its Content-Security-Policy (a refused script or style). */
function watchPolicy(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    const text = message.text();
    if (/content[- ]security[- ]policy/i.test(text)) violations.push(text);
  });
  return violations;
}

/** Goes to a path of the console as a link would, without a reload (which signs out). */
async function navigate(page: Page, path: string): Promise<void> {
  await page.evaluate((to) => {
    window.history.pushState({}, "", to);
    window.dispatchEvent(new PopStateEvent("popstate"));
  }, path);
}

/** The values of every field on the page. */
async function fieldValues(page: Page): Promise<string[]> {
  return page.locator("input, textarea").evaluateAll((elements) => elements.map((e) => (e as HTMLInputElement).value));
}

test("an admin registers a Discourse source, copies its URL and sees its secret once", async ({ page }) => {
  const violations = watchPolicy(page);
  const name = `Forum e2e ${Date.now()}`;
  await signIn(page, "liaison-admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sources" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sources" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /Loading/ })).toHaveCount(0);
  await expectAccessible(page);
  await shot(page, "setup-sources");

  await page.getByRole("link", { name: "Register a source" }).click();
  await page.getByRole("radiogroup", { name: "Platform" }).getByText("Discourse", { exact: true }).click();
  await expect(page.getByRole("radio", { name: "Discourse", exact: true })).toBeChecked();
  const steps = page.getByRole("region", { name: "Set it up on Discourse" });
  await expect(steps.getByText("In Discourse: Admin > API > Webhooks > New webhook.")).toBeVisible();
  await expect(steps.getByText(/Payload URL: the webhook URL\. Content Type: application\/json/)).toBeVisible();
  // Discourse's secret is Liaison's: nothing to paste, and its own fields.
  await expect(page.getByRole("textbox", { name: /Signing secret/ })).toHaveCount(0);
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
  await page.getByRole("textbox", { name: /Forum URL/ }).fill("https://forum.example");
  await expect(page.getByRole("textbox", { name: /API key/ })).toBeVisible();
  await expect(page.getByRole("textbox", { name: /API user name/ })).toBeVisible();
  await expectAccessible(page);
  await shot(page, "setup-source-form");
  await page.getByRole("button", { name: "Register the source" }).click();

  await expect(page.getByRole("heading", { level: 1, name: `“${name}” is registered` })).toBeVisible();
  const once = page.getByRole("region", { name: "Copy it now: it will not be shown again" });
  await expect(once.getByText(/will never show it again/)).toBeVisible();
  const secret = await once.getByRole("textbox", { name: "Signing secret" }).inputValue();
  expect(secret.length).toBeGreaterThanOrEqual(32);
  await expect(page.getByRole("region", { name: "Set it up on Discourse" })).toBeVisible();

  const url = await page.getByRole("textbox", { name: "Webhook URL" }).inputValue();
  expect(url).toMatch(/\/hooks\/src_[a-z0-9]{26}$/);
  await page.getByRole("button", { name: "Copy Webhook URL" }).click();
  await expect(page.getByText("Copied to the clipboard.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await expectAccessible(page);
  await shot(page, "setup-source-created");

  await once.getByRole("button", { name: "I have copied it" }).click();
  await expect(once).toHaveCount(0);
  expect(await fieldValues(page)).not.toContain(secret);

  // Discourse posts an event Liaison does not act on, signed with the secret.
  const sourceId = url.split("/").at(-1) ?? "";
  const body = JSON.stringify({ topic: { id: Number.parseInt(randomBytes(3).toString("hex"), 16), title: name } });
  const delivered = await page.request.post(`/hooks/${sourceId}`, {
    headers: {
      "content-type": "application/json",
      "x-discourse-event": "topic_created",
      "x-discourse-event-type": "topic",
      "x-discourse-event-id": "1",
      "x-discourse-instance": "https://forum.example",
      "x-discourse-event-signature": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
    data: body,
  });
  expect(delivered.status(), await delivered.text()).toBe(200);

  await page.getByRole("link", { name: "Open the source’s page" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const health = page.getByRole("region", { name: "Is my webhook working?" });
  await expect(health.getByText("topic_created", { exact: true })).toBeVisible();
  await expect(health.getByText("Liaison does not act on this event or topic.")).toBeVisible();
  expect(await fieldValues(page)).not.toContain(secret);
  await expect(page.getByText(secret)).toHaveCount(0);
  await expectAccessible(page);
  await shot(page, "setup-source");

  // Tidy the shared stack: the source goes (its webhooks are refused at once).
  await page.getByRole("button", { name: "Delete the source" }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sources" })).toBeVisible();
  await expect(page.getByRole("link", { name })).toHaveCount(0);

  expect(violations).toEqual([]);
});

test("a support agent creates a rule, and has no sources", async ({ page }) => {
  const violations = watchPolicy(page);
  const name = `e2e rule ${Date.now()}`;
  const keyword = `liaison-e2e-${randomBytes(4).toString("hex")}`;
  await signIn(page, "liaison-support");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Rules" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Sources" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Connections" })).toHaveCount(0);

  await nav.getByRole("link", { name: "Rules" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Rules" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /Loading/ })).toHaveCount(0);
  await expectAccessible(page);
  await shot(page, "setup-rules");

  await page.getByRole("link", { name: "New rule" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
  await page.getByRole("textbox", { name: /Keywords/ }).fill(keyword);
  await page.getByRole("textbox", { name: /^Tag/ }).fill("e2e");
  await page.getByRole("combobox", { name: "Priority" }).selectOption("P2");
  await expectAccessible(page);
  await shot(page, "setup-rule-form");
  await page.getByRole("button", { name: "Save the rule" }).click();

  await expect(page.getByText(`The rule “${name}” was saved.`)).toBeVisible();
  const rule = page.getByRole("article", { name });
  await expect(rule.getByText(`keywords: “${keyword}”`)).toBeVisible();
  await expect(rule.getByText("tag e2e · priority P2")).toBeVisible();
  await expectAccessible(page);
  await shot(page, "setup-rule-saved");

  // The rule would apply to every contribution with its keyword: it goes again.
  await rule.getByRole("button", { name: "Delete" }).click();
  await rule.getByRole("button", { name: "Yes, delete" }).click();
  await expect(page.getByText(`The rule “${name}” was deleted.`)).toBeVisible();
  await expect(page.getByRole("article", { name })).toHaveCount(0);

  await navigate(page, "/console/sources");
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expectAccessible(page);
  await shot(page, "setup-sources-support");

  expect(violations).toEqual([]);
});

test("an admin's other setup screens read well, on a phone too", async ({ page }) => {
  const violations = watchPolicy(page);
  await signIn(page, "liaison-admin");
  const nav = page.getByRole("navigation", { name: "Main" });
  const loaded = () => expect(page.getByRole("status").filter({ hasText: /^Loading/ })).toHaveCount(0);

  await nav.getByRole("link", { name: "Connections" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Connections" })).toBeVisible();
  await loaded();
  await expectAccessible(page);
  await shot(page, "setup-endpoints");
  await page.getByRole("link", { name: "Add a connection" }).click();
  await page.getByRole("radiogroup", { name: "Kind" }).getByText("Zendesk", { exact: true }).click();
  await expect(page.getByRole("textbox", { name: "Agent email" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "API token" })).toBeVisible();
  await expect(page.getByRole("checkbox", { name: /A case opened/ })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /A purchase intent/ })).toHaveCount(0);
  await page.getByRole("button", { name: "Add the connection" }).click();
  await expect(page.getByRole("textbox", { name: "URL" })).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  await shot(page, "setup-endpoint-form");

  await nav.getByRole("link", { name: "Email templates" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Email templates" })).toBeVisible();
  await expect(page.getByRole("tab", { name: "French" })).toBeVisible();
  await expect(page.getByRole("tabpanel").getByText("{{ link }}", { exact: true })).toBeVisible();
  await expectAccessible(page);
  await shot(page, "setup-templates");

  await nav.getByRole("link", { name: "Callbacks" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Callbacks" })).toBeVisible();
  await loaded();
  await expectAccessible(page);
  await shot(page, "setup-callbacks");

  await nav.getByRole("link", { name: "Referrals" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Referral conversions" })).toBeVisible();
  await loaded();
  await expectAccessible(page);
  await shot(page, "setup-referrals");

  await page.setViewportSize({ width: 390, height: 844 });
  await nav.getByRole("link", { name: "Sources" }).click();
  await page.getByRole("link", { name: "Register a source" }).click();
  await page.getByRole("radiogroup", { name: "Platform" }).getByText("Meta (Facebook Page and Instagram)", { exact: true }).click();
  await expect(page.getByRole("textbox", { name: /Signing secret/ })).toBeVisible();
  const [name, secret] = await Promise.all([
    page.getByRole("textbox", { name: "Name", exact: true }).boundingBox(),
    page.getByRole("textbox", { name: /Signing secret/ }).boundingBox(),
  ]);
  // One column: the fields take the width of the screen, one under the other.
  expect(name?.width ?? 0).toBeGreaterThan(300);
  expect((secret?.y ?? 0) > (name?.y ?? 0)).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expectAccessible(page);
  await shot(page, "setup-source-form-phone");

  expect(violations).toEqual([]);
});
