import { useEffect } from "react";
import { useTranslation } from "react-i18next";

/** The browser tab's title: "Screen · Liaison". */
export function useScreenTitle(title: string) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${title} · ${t("app.name")}`;
  }, [title, t]);
}
