import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";
import { noInlineHtml } from "./build/inline-check.ts";

/** `npm run dev`: the API and the sign-in provider of `make dev` (LIAISON_PORT, 3000). */
const LOCAL_STACK = process.env.LIAISON_STACK ?? "http://127.0.0.1:3000";

/** What `make dev`'s runner answers at /console/config.json (README.md, "Configuration"). */
const LOCAL_CONFIG = {
  apiBaseUrl: "",
  authorizeUrl: "/oidc/authorize",
  tokenUrl: "/oidc/token",
  logoutUrl: "/oidc/logout",
  clientId: "liaison-local",
  scope: "openid email profile",
};

export default defineConfig({
  base: "/console/",
  plugins: [
    react(),
    noInlineHtml(),
    {
      // The dev server answers /console/config.json as the runner does.
      name: "liaison-dev-config",
      apply: "serve",
      configureServer(server) {
        server.middlewares.use("/console/config.json", (_req, res) => {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify(LOCAL_CONFIG));
        });
      },
    },
  ],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Every asset a file of its own: no data: URL for the policy to allow.
    assetsInlineLimit: 0,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Libraries apart from the app, so that a release of the app alone keeps them cached.
        advancedChunks: {
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            // The charts library and its own dependencies stay out: they load with the pages
            // that draw charts (reports, campaign results), not with the first screen.
            { name: "vendor", test: /node_modules[\\/](?!(recharts|d3-[a-z-]+|victory-vendor|es-toolkit|immer|reselect|redux|@reduxjs|react-redux|decimal\.js-light|eventemitter3)[\\/])/ },
          ],
        },
      },
    },
  },
  server: {
    host: "127.0.0.1",
    port: Number(process.env.CONSOLE_PORT ?? 5173),
    strictPort: true,
    // Everything the local stack serves but the console itself: the API, the sign-in
    // provider, webhooks and public links (the browser scenes seed through them), its clock.
    proxy: Object.fromEntries(
      ["/admin", "/api", "/oidc", "/hooks", "/t/", "/r/", "/_local"].map((path) => [path, LOCAL_STACK]),
    ),
  },
  test: {
    include: ["src/**/*.test.{ts,tsx}", "build/**/*.test.ts"],
    environment: "node",
    // Files that need a DOM say so (`@vitest-environment jsdom`); the page is the console's.
    environmentOptions: { jsdom: { url: "http://127.0.0.1:3000/console/" } },
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
    unstubGlobals: true,
    // A rendered screen's test (jsdom, user events) takes 1 to 3 s on CI's 2 cores, more
    // when the machine is busy: the 5 s default made slow, not wrong, tests fail.
    testTimeout: 20_000,
  },
});
