// The hosted classifier's setting (GET/PUT /admin/classifier, administrators only) and its
// report (GET /admin/reports/classifier): the calls, their form and what the report adds up.

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { dataOf } from "../api/client";
import type { components } from "../api/schema";
import { useApi } from "../app/context";

export type ClassifierSetting = components["schemas"]["ClassifierSetting"];
export type ClassifierSettingInput = components["schemas"]["ClassifierSettingInput"];
export type ClassifierReport = components["schemas"]["ClassifierReport"];

/** The days the setup page's summary covers, today included. */
export const REPORT_DAYS = 30;

const keys = {
  setting: ["classifier"] as const,
  report: (from: string, to: string) => ["classifier", "report", { from, to }] as const,
};

export function useClassifier() {
  const api = useApi();
  return useQuery({
    queryKey: keys.setting,
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/classifier", { signal })),
  });
}

export function useSaveClassifier() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: ClassifierSettingInput) => dataOf(await api.PUT("/admin/classifier", { body })),
    onSuccess: (setting) => queryClient.setQueryData(keys.setting, setting),
  });
}

/** The `REPORT_DAYS` days up to `today` (UTC), as the report's `from` and `to`. */
export function lastDays(today: Date, days = REPORT_DAYS): { from: string; to: string } {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const from = new Date(today.getTime() - (days - 1) * 86_400_000);
  return { from: day(from), to: day(today) };
}

export function useClassifierReport(from: string, to: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.report(from, to),
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/reports/classifier", { params: { query: { from, to } }, signal })),
  });
}

/** The budget as typed: a number of dollars from `min` to `max`, or why not. */
export function parseBudget(typed: string, min: number, max: number): { ok: true; value: number } | { ok: false; reason: "number" | "range" } {
  const value = Number(typed.trim().replace(",", "."));
  if (typed.trim() === "" || !Number.isFinite(value)) return { ok: false, reason: "number" };
  if (value < min || value > max) return { ok: false, reason: "range" };
  return { ok: true, value };
}

/** The fall-backs of the report's total, most frequent first, without the reasons at 0. */
export function fallbacksOf(report: ClassifierReport): { reason: string; count: number }[] {
  return Object.entries(report.total.fallbacks)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
