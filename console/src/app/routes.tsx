// The console's routes, under /console (the router's basename). Each screen is one route
// of the shell; a screen the user's groups may not use is not found for them.

import { useTranslation } from "react-i18next";
import { Navigate, type RouteObject } from "react-router";
import { screensFor } from "../access";
import { CAMPAIGN_ROUTES } from "../campaigns/routes";
import { PEOPLE_ROUTES } from "../people/routes";
import { SETUP_ROUTES } from "../setup/routes";
import { guarded, NotFound } from "./guard";
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

export const routes: RouteObject[] = [
  {
    path: "/",
    element: <Shell />,
    children: [
      { index: true, element: <Start /> },
      { path: "inbox", element: guarded("inbox", <InboxPage />) },
      ...PEOPLE_ROUTES,
      ...CAMPAIGN_ROUTES,
      ...SETUP_ROUTES,
      { path: "*", element: <NotFound /> },
    ],
  },
];
