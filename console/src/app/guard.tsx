// What every screen's route shares: "not found" for a path or a screen the user's groups
// may not use (never a hint that it exists), and the guard that decides it.

import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { screensFor, type ScreenId } from "../access";
import { useScreenTitle } from "../lib/title";
import { useConsole } from "./context";

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

function Guarded({ screen, children }: { screen: ScreenId; children: ReactNode }) {
  const { session } = useConsole();
  return screensFor(session.groups).some((s) => s.id === screen) ? children : <NotFound />;
}

/** `element`, for users whose groups may use `screen`; "not found" for the others. */
export function guarded(screen: ScreenId, element: ReactNode): ReactNode {
  return <Guarded screen={screen}>{element}</Guarded>;
}
