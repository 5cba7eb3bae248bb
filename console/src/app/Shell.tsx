// The signed-in frame: skip link, header (product, who, language, sign out), the navigation
// of the screens the user's groups may use, and the screen itself.

import { Suspense } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { NavLink, Outlet } from "react-router";
import { screensFor } from "../access";
import { useConsole } from "./context";
import { LanguageSwitch } from "./LanguageSwitch";

export function Navigation() {
  const { t } = useTranslation();
  const { session } = useConsole();
  const screens = screensFor(session.groups);
  return (
    <nav className="app-nav" aria-label={t("nav.label")}>
      {screens.length > 0 ? (
        <ul>
          {screens.map((screen) => (
            <li key={screen.id}>
              <NavLink to={screen.path}>{t(screen.labelKey)}</NavLink>
            </li>
          ))}
        </ul>
      ) : null}
    </nav>
  );
}

export function Shell() {
  const { t } = useTranslation();
  const { session, signOut } = useConsole();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t("app.skipLink")}
      </a>
      <header className="app-header">
        <span className="brand">{t("app.name")}</span>
        <div className="account">
          <span className="who">
            {session.email !== null ? t("app.signedInAs", { email: session.email }) : t("app.signedIn")}
          </span>
          <LanguageSwitch />
          <Button className="button" onPress={signOut}>
            {t("app.signOut")}
          </Button>
        </div>
      </header>
      <Navigation />
      <main id="main" tabIndex={-1} className="app-main">
        <Suspense fallback={<p role="status">{t("inbox.loading")}</p>}>
            <Outlet />
          </Suspense>
      </main>
    </div>
  );
}
