// Start: read /console/config.json, finish a sign-in if the provider just sent us back
// (?code=…&state=…), then show the landing page or the console.

import "./styles/app.css";
import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { App } from "./app/App";
import { ConfigErrorPage, Starting } from "./app/pages";
import { handleCallback } from "./auth/oidc";
import { loadConfig } from "./config";
import { createI18n } from "./i18n";

const CONFIG_PATH = `${import.meta.env.BASE_URL}config.json`;

async function start(): Promise<void> {
  const container = document.getElementById("root");
  if (container === null) throw new Error("index.html has no #root");
  const i18n = createI18n();
  const root = createRoot(container);
  const render = (node: ReactNode) =>
    root.render(
      <StrictMode>
        <I18nextProvider i18n={i18n}>{node}</I18nextProvider>
      </StrictMode>,
    );

  render(<Starting />);
  const loaded = await loadConfig(CONFIG_PATH);
  if (!loaded.ok) {
    render(<ConfigErrorPage problems={loaded.problems} path={CONFIG_PATH} />);
    return;
  }
  if (new URLSearchParams(window.location.search).has("code")) render(<Starting signingIn />);
  const callback = await handleCallback(loaded.config);
  render(<App config={loaded.config} signInError={callback.kind === "error" ? callback.error : null} />);
}

void start();
