// The browser scenes (e2e/*.e2e.ts), in Debian's Chromium (Playwright cannot download its
// own browsers here), against the local stack whose URL the Rust journey that starts it
// gives in LIAISON_URL (tests/tests/journeys/browser.rs; `make test` runs it).

import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "./e2e",
  testMatch: "*.e2e.ts",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: process.env.LIAISON_E2E_OUTPUT ?? "../target/console-e2e/results",
  use: {
    baseURL: process.env.LIAISON_URL ?? "http://127.0.0.1:3000",
    locale: "en-GB",
    screenshot: "only-on-failure",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      // As root in CI, without the network Chromium reaches for by default.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
