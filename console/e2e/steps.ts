// What the scenes share: signing in through the local stack's development OpenID Connect
// page (the same authorization code flow with PKCE as Cognito's managed login), the
// accessibility check, and the screenshots README.md shows.

import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export type Group = "liaison-admin" | "liaison-support" | "liaison-sales" | "liaison-marketer";

/** Where the screenshots go: CI keeps target/console-e2e/. */
export const SHOTS = process.env.LIAISON_SCREENSHOTS ?? "../target/console-e2e/screenshots";

/**
 * Signs in from the console's landing page as `email` in `group`, and waits for the app.
 * `here`: from the page the browser is on (signed out there), which the console must come
 * back to, rather than from the console's root.
 */
export async function signIn(page: Page, group: Group, email = "agent@brand.example", here = false): Promise<void> {
  const back = here ? page.url() : null;
  if (!here) await page.goto("/console/");
  await page.getByRole("button", { name: /sign in|se connecter/i }).click();
  await expect(page).toHaveURL(/\/oidc\/authorize/);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("radio", { name: group }).check();
  await page.getByRole("button", { name: "Sign in" }).click();
  if (back === null) await expect(page).toHaveURL(/\/console\/inbox/);
  else await expect(page).toHaveURL(back);
}

/** No serious or critical accessibility violation on the page as it is. */
export async function expectAccessible(page: Page): Promise<void> {
  // A sandboxed frame (an email preview) runs no script, so axe cannot enter it: left out.
  const results = await new AxeBuilder({ page }).exclude("iframe[sandbox]").analyze();
  const grave = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(grave.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}
