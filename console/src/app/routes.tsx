// The console's routes, under /console (the router's basename). Each screen is one route
// of the shell; a screen the user's groups may not use is not found for them.

import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, type RouteObject } from "react-router";
import { screensFor, type Screen } from "../access";
import { useScreenTitle } from "../lib/title";
import { InboxPage } from "../inbox/InboxPage";
import { useConsole } from "./context";
import { Shell } from "./Shell";

export const BASENAME = "/console";

/** /console/: the first screen the user may use (the inbox for every staff group). */
function Start() {
  const { t } = useTranslation();
  const { session } = useConsole();
  const [first] = screensFor(session.groups);
  useScreenTitle(t("app.console"));
  if (first !== undefined) return <Navigate to={first.path} replace />;
  return (
    <>
      <h1>{t("app.console")}</h1>
      <p className="notice">{t("nav.none")}</p>
    </>
  );
}

export function NotFound() {
  const { t } = useTranslation();
  useScreenTitle(t("notFound.title"));
  return (
    <>
      <h1>{t("notFound.title")}</h1>
      <p>{t("notFound.text")}</p>
      <p>
        <Link to="/">{t("notFound.back")}</Link>
      </p>
    </>
  );
}

function Guarded({ screen, children }: { screen: Screen["id"]; children: ReactNode }) {
  const { session } = useConsole();
  return screensFor(session.groups).some((s) => s.id === screen) ? children : <NotFound />;
}

export const routes: RouteObject[] = [
  {
    path: "/",
    element: <Shell />,
    children: [
      { index: true, element: <Start /> },
      {
        path: "inbox",
        element: (
          <Guarded screen="inbox">
            <InboxPage />
          </Guarded>
        ),
      },
      { path: "*", element: <NotFound /> },
    ],
  },
];
