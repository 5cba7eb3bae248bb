// The setup screens in a real browser against the local stack: an admin registers a
// Discourse source with the form, reads the platform's steps, copies the webhook URL (read
// back from the clipboard) and sees the secret once; a delivery signed with it that Liaison
// ignores shows on the source's page. An admin reads a source's last deliveries (one signed,
// one with a wrong signature, explained) and sets another's credentials, a generated one
// shown once. A marketer watches the verification email's preview follow the typing, and an
// unknown variable refused on the body. A support agent creates a rule, but has no Sources
// link and finds no page at /console/sources. Every screen passes axe-core and is
// photographed; a Content-Security-Policy violation in the page's console fails the scene.

import { createHmac, randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { api, createSource, deliver, staffToken } from "./seed";
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

/** A Standard Webhooks delivery signed with a secret that is not the source's, at the stack's time. */
async function forgedDelivery(page: Page, sourceId: string) {
  const clock = await page.request.get("/_local/clock");
  const now = clock.ok() ? ((await clock.json()) as { now?: string }).now : undefined;
  const timestamp = Math.floor((now === undefined ? Date.now() : Date.parse(now)) / 1000).toString();
  const id = `msg_${randomBytes(12).toString("base64url")}`;
  const body = JSON.stringify({ type: "ping", data: {} });
  const signature = createHmac("sha256", randomBytes(32)).update(`${id}.${timestamp}.${body}`).digest("base64");
  return page.request.post(`/hooks/${sourceId}`, {
    headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": `v1,${signature}` },
    data: body,
  });
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
  const health = page.getByRole("region", { name: "Ignored deliveries" });
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

test("an admin sees a source's last deliveries, a refusal explained, and sets another source's credentials", async ({ page }) => {
  const violations = watchPolicy(page);
  const stamp = `${Date.now()}-${randomBytes(3).toString("hex")}`;
  const name = `Blog deliveries e2e ${stamp}`;
  const source = await createSource(page.request, name);
  // One delivery signed with the source's secret, then one signed with another secret.
  await deliver(page.request, source, {
    type: "contribution.created",
    data: {
      id: `deliveries-${stamp}`,
      kind: "comment",
      text: "Does the new teapot come in blue?",
      moderation: "published",
      created_at: new Date().toISOString(),
      author: { name: "Sasha", email: `sasha.${stamp}@example.org` },
    },
  });
  const forged = await forgedDelivery(page, source.id);
  expect(forged.status(), await forged.text()).toBe(401);

  await signIn(page, "liaison-admin");
  await navigate(page, `/console/sources/${source.id}`);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const log = page.getByRole("region", { name: "Last deliveries" });
  const refused = log.getByRole("listitem").filter({ hasText: "Refused" });
  const accepted = log.getByRole("listitem").filter({ hasText: "Accepted" });
  await expect(refused).toHaveCount(1, { timeout: 20_000 });
  await expect(accepted).toHaveCount(1);
  await expect(refused.getByText("HTTP 401")).toBeVisible();
  await expect(refused.getByText(/The signature did not match: check the secret on the platform/)).toBeVisible();
  await expect(accepted.getByText("HTTP 202")).toBeVisible();
  await expect(accepted.getByText("1 event: 1 new, 0 already received")).toBeVisible();
  // Newest first: the refusal came last.
  await expect(log.locator("ul.items > li").first()).toContainText("Refused");
  await expect(log.getByText(/recorded at most once every 10 seconds/)).toBeVisible();
  await log.getByRole("button", { name: "Refresh" }).click();
  await expect(log.getByRole("button", { name: "Refresh" })).toBeEnabled();
  await expect(refused).toHaveCount(1);
  await expectAccessible(page);
  await shot(page, "source-deliveries");

  // A Discourse source, registered without its login: the admin gives it on the source's page.
  const admin = await staffToken(page.request, "liaison-admin");
  const forum = await api<{ id: string }>(page.request, admin, "POST", "/admin/sources", {
    platform: "discourse",
    name: `Forum credentials e2e ${stamp}`,
    settings: { instance_url: "https://forum.example" },
  });
  await navigate(page, `/console/sources/${forum.id}`);
  await expect(page.getByRole("heading", { level: 1, name: `Forum credentials e2e ${stamp}` })).toBeVisible();
  const edit = page.getByRole("region", { name: "Edit credentials and settings" });
  const apiKey = edit.getByRole("textbox", { name: /API key/ });
  await expect(apiKey).toHaveValue("");
  await expect(edit.getByText(/^Not set\./).first()).toBeVisible();
  await expect(edit.getByRole("textbox", { name: /Forum URL/ })).toHaveValue("https://forum.example");
  // The API refuses a user name with a control character: on its field.
  await edit.getByRole("textbox", { name: /API user name/ }).fill("a\u0007b");
  await edit.getByRole("button", { name: "Save the changes" }).click();
  await expect(edit.getByRole("textbox", { name: /API user name/ })).toHaveAttribute("aria-invalid", "true");
  await expect(edit.getByText(/control characters/)).toBeVisible();
  const key = `e2e-key-${randomBytes(12).toString("hex")}`;
  await apiKey.fill(key);
  await edit.getByRole("textbox", { name: /API user name/ }).fill("moderator");
  await edit.getByRole("textbox", { name: /Moderation callback URL/ }).fill("https://brand.example/decisions");
  await edit.getByRole("button", { name: "Save the changes" }).click();
  await expect(edit.getByText("Saved: the source uses the new values from now on.")).toBeVisible();
  // The callback's signing secret, generated, shown once.
  const once = edit.getByRole("region", { name: "Copy it now: it will not be shown again" });
  await expect(once.getByRole("textbox", { name: "Moderation callback secret" })).toHaveValue(/^whsec_/);
  await expect(apiKey).toHaveValue("");
  await expect(edit.getByText(/^Set: leave empty to keep it\./)).toHaveCount(2);
  const held = page.getByRole("region", { name: "Signing secrets" });
  await expect(held.getByText("API user name", { exact: true })).toBeVisible();
  expect(await fieldValues(page)).not.toContain(key);
  await expectAccessible(page);
  await shot(page, "source-credentials");
  await once.getByRole("button", { name: "I have copied it" }).click();
  await expect(once).toHaveCount(0);

  // Readable on a phone: one column, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await navigate(page, `/console/sources/${source.id}`);
  await expect(refused).toHaveCount(1);
  // Another source's page: its own form, not the one just saved.
  const blogEdit = page.getByRole("region", { name: "Edit credentials and settings" });
  await expect(blogEdit.getByRole("textbox", { name: /Moderation callback URL/ })).toHaveValue("");
  await expect(blogEdit.getByText(/^Saved/)).toHaveCount(0);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expectAccessible(page);
  await shot(page, "source-deliveries-phone");

  // Tidy the shared stack.
  await api(page.request, admin, "DELETE", `/admin/sources/${source.id}`);
  await api(page.request, admin, "DELETE", `/admin/sources/${forum.id}`);
  expect(violations).toEqual([]);
});

test("a marketer sees the verification email's preview follow the typing, and an unknown variable refused", async ({ page }) => {
  const violations = watchPolicy(page);
  await signIn(page, "liaison-marketer");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Email templates" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Email templates" })).toBeVisible();
  await page.getByRole("tab", { name: "English" }).click();
  const panel = page.getByRole("tabpanel");
  const preview = panel.getByRole("region", { name: "Preview" });
  // The saved wording with the sample values.
  await expect(preview.locator("pre")).toContainText("https://liaison.example/t/verify/SAMPLE");
  await expect(preview.locator("pre")).not.toContainText("{{");

  const body = panel.getByRole("textbox", { name: "Body" });
  const ending = `See you soon ${randomBytes(3).toString("hex")}`;
  await body.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(`\n${ending}, {{ name }}!`);
  await expect(preview.locator("pre")).toContainText(`${ending}, Camille!`);
  await expect(preview.getByText("Out of date", { exact: true })).toHaveCount(0);
  await expect(body).not.toHaveAttribute("aria-invalid", "true");

  await page.keyboard.type(" {{ nom }}");
  await expect(body).toHaveAttribute("aria-invalid", "true");
  await expect(panel.getByText(/undefined value/).first()).toBeVisible();
  // The last good preview stays, marked out of date.
  await expect(preview.locator("pre")).toContainText(`${ending}, Camille!`);
  await expect(preview.getByText("Out of date", { exact: true })).toBeVisible();
  await expect(preview.getByText(/has an error in the Body field/)).toBeVisible();
  await expectAccessible(page);
  await shot(page, "template-preview");

  // On a phone, the preview comes below the editor, within the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  const [editor, shown] = await Promise.all([body.boundingBox(), preview.boundingBox()]);
  expect((shown?.y ?? 0) > (editor?.y ?? 0)).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expectAccessible(page);
  await shot(page, "template-preview-phone");
  // Nothing was saved: the wording typed is dropped with the page.
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
