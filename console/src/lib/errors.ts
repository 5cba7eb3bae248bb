import type { TFunction } from "i18next";
import { ApiError } from "../api/client";

/** What to tell people about a failed call: the API's own words, else ours; never a bare status. */
export function errorMessage(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.message.trim() !== "") return error.message;
    if (error.code === "network") return t("errors.network");
  }
  return t("errors.unknown");
}
