// /console/campaigns/{id}/results: what came of a campaign (GET /admin/campaigns/{id}/stats).
// The funnel of each step and variant as a chart and as a table (the table is what screen
// readers and keyboards use: the chart is hidden from them), recovered revenue per currency
// along the sequence and per day, deferred and skipped emails by reason, and the
// abandoned-cart audience as a CSV file made in the browser.

import { useState } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { currentLanguage } from "../i18n";
import { formatAmount } from "../lib/time";
import { useScreenTitle } from "../lib/title";
import type { Campaign } from "./form";
import { CampaignTabs, QueryState, StatusBadge, useErrorText } from "./parts";
import { useAudience, useCampaign, useCampaignStats } from "./queries";
import {
  STAGES,
  audienceCsv,
  audienceFileName,
  currenciesOf,
  funnelRows,
  reasonRows,
  revenueByDay,
  revenueRows,
  type CampaignStats,
  type Group,
} from "./results";
import { useDelayText, useGroupLabel, useReasonText } from "./words";
import "./campaigns.css";

/** Colours that read apart, also for colour-blind people (Okabe and Ito), in light and dark. */
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C8C8C"];

function colour(i: number): string {
  return PALETTE[i % PALETTE.length] ?? "#0072B2";
}

/** A legend in the order of its series (Recharts sorts it by name otherwise). */
function inOrder(keys: readonly string[]) {
  return (item: { dataKey?: unknown }) => keys.indexOf(String(item.dataKey));
}

export function ResultsPage() {
  const { t } = useTranslation("campaigns");
  const { id = "" } = useParams();
  const campaign = useCampaign(id);
  const stats = useCampaignStats(id);
  const name = campaign.data?.name ?? "";
  useScreenTitle(name !== "" ? t("results.titleOf", { name }) : t("results.title"));
  return (
    <>
      <div className="cmp-heading">
        <h1>{name !== "" ? t("results.titleOf", { name }) : t("results.title")}</h1>
        {campaign.data !== undefined ? <StatusBadge status={campaign.data.status} /> : null}
      </div>
      <CampaignTabs id={id} />
      <p className="hint">{t("results.autoRefresh")}</p>
      <QueryState query={stats} loading={t("states.loadingStats")}>
        {(data) => <Results stats={data} campaign={campaign.data} />}
      </QueryState>
      <Audience id={id} />
    </>
  );
}

function Results({ stats, campaign }: { stats: CampaignStats; campaign: Campaign | undefined }) {
  const { t, i18n } = useTranslation("campaigns");
  const language = currentLanguage(i18n);
  const number = new Intl.NumberFormat(language);
  const currencies = currenciesOf(stats);
  return (
    <>
      <section className="cmp-section" aria-labelledby="results-summary">
        <h2 id="results-summary" className="cmp-section-title">
          {t("results.summary")}
        </h2>
        <dl className="cmp-totals">
          <div>
            <dt>{t("results.entered")}</dt>
            <dd>{number.format(stats.entered)}</dd>
          </div>
          <div>
            <dt>{t("results.sent")}</dt>
            <dd>{number.format(stats.steps.reduce((n, s) => n + s.sent, 0))}</dd>
          </div>
          <div>
            <dt>{t("results.converted")}</dt>
            <dd>{number.format(stats.converted)}</dd>
          </div>
          <div>
            <dt>{t("results.revenue")}</dt>
            <dd>
              {currencies.length === 0
                ? t("results.noRevenue")
                : currencies.map((currency) => formatAmount(language, stats.revenue[currency] ?? "0", currency)).join(" · ")}
            </dd>
          </div>
        </dl>
      </section>
      <Funnel stats={stats} />
      <Revenue stats={stats} campaign={campaign} />
      <RevenueOverTime stats={stats} />
      <Reasons stats={stats} kind="deferred" />
      <Reasons stats={stats} kind="skipped" />
    </>
  );
}

function Funnel({ stats }: { stats: CampaignStats }) {
  const { t, i18n } = useTranslation("campaigns");
  const label = useGroupLabel();
  const number = new Intl.NumberFormat(currentLanguage(i18n));
  const rows = funnelRows(stats);
  const data = rows.map((row) => ({ label: label(row), ...Object.fromEntries(STAGES.map((stage) => [stage, row[stage]])) }));
  return (
    <section className="cmp-section" aria-labelledby="results-funnel">
      <h2 id="results-funnel" className="cmp-section-title">
        {t("results.funnel")}
      </h2>
      <figure className="cmp-figure">
        <div className="cmp-chart" aria-hidden="true">
          <BarChart responsive width="100%" height="100%" data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" interval={0} />
            <YAxis allowDecimals={false} />
            <Tooltip itemSorter={inOrder(STAGES)} />
            <Legend itemSorter={inOrder(STAGES)} />
            {STAGES.map((stage, i) => (
              <Bar key={stage} dataKey={stage} name={t(`results.stages.${stage}`)} fill={colour(i)} isAnimationActive={false} />
            ))}
          </BarChart>
        </div>
        <figcaption className="cmp-help">{t("results.chartCaption")}</figcaption>
      </figure>
      <div className="cmp-table-wrap" role="region" aria-labelledby="results-funnel-caption" tabIndex={0}>
        <table className="cmp-table">
          <caption id="results-funnel-caption">{t("results.funnelCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("results.group")}</th>
              {STAGES.map((stage) => (
                <th key={stage} scope="col">
                  {t(`results.stages.${stage}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <th scope="row">{label(row)}</th>
                {STAGES.map((stage) => (
                  <td key={stage}>
                    {row[stage] === null ? (
                      <>
                        <span aria-hidden="true">—</span>
                        <span className="visually-hidden">{t("results.notCounted")}</span>
                      </>
                    ) : (
                      number.format(row[stage])
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="cmp-help">{t("results.funnelNote")}</p>
    </section>
  );
}

function Revenue({ stats, campaign }: { stats: CampaignStats; campaign: Campaign | undefined }) {
  const { t, i18n } = useTranslation("campaigns");
  const language = currentLanguage(i18n);
  const label = useGroupLabel();
  const delayText = useDelayText();
  const currencies = currenciesOf(stats);
  const rows = revenueRows(stats);
  const when = (group: Group) => {
    const minutes = group.step !== null ? campaign?.steps[group.step]?.delay_minutes : undefined;
    return minutes !== undefined ? delayText(minutes) : "";
  };
  const steps = rows.filter((row) => row.step !== null);
  const data = steps.map((row) => ({
    label: label(row),
    ...Object.fromEntries(currencies.map((currency) => [currency, Number(row.amounts[currency] ?? "0")])),
  }));
  return (
    <section className="cmp-section" aria-labelledby="results-revenue">
      <h2 id="results-revenue" className="cmp-section-title">
        {t("results.revenueTitle")}
      </h2>
      <p className="hint">{t("results.revenueHelp")}</p>
      {currencies.length === 0 ? (
        <p className="list-state empty">{t("results.noRevenueYet")}</p>
      ) : (
        <>
          <CurrencyBars data={data} xKey="label" currencies={currencies} caption={t("results.chartCaption")} everyTick />
          <div className="cmp-table-wrap" role="region" aria-labelledby="results-revenue-caption" tabIndex={0}>
            <table className="cmp-table">
              <caption id="results-revenue-caption">{t("results.revenueCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("results.group")}</th>
                  <th scope="col">{t("results.when")}</th>
                  {currencies.map((currency) => (
                    <th key={currency} scope="col">
                      {currency}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.key}>
                    <th scope="row">{label(row)}</th>
                    <td>{row.step === null ? t("results.wholeCampaign") : when(row)}</td>
                    {currencies.map((currency) => (
                      <td key={currency}>{formatAmount(language, row.amounts[currency] ?? "0", currency)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/** Days as the API counts them (UTC), short for the chart's axis, longer for the table. */
function useDayFormat() {
  const { i18n } = useTranslation();
  const language = currentLanguage(i18n);
  const short = new Intl.DateTimeFormat(language, { day: "numeric", month: "short", timeZone: "UTC" });
  const long = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeZone: "UTC" });
  const at = (day: string) => Date.parse(`${day}T00:00:00Z`);
  return {
    short: (day: string) => (Number.isNaN(at(day)) ? day : short.format(at(day))),
    long: (day: string) => (Number.isNaN(at(day)) ? day : long.format(at(day))),
  };
}

/** Recovered revenue per day (by_day): one series per currency, every day from the first to the last. */
function RevenueOverTime({ stats }: { stats: CampaignStats }) {
  const { t, i18n } = useTranslation("campaigns");
  const language = currentLanguage(i18n);
  const number = new Intl.NumberFormat(language);
  const days = useDayFormat();
  const { currencies, rows, points, converted, totals } = revenueByDay(stats);
  const first = rows[0];
  const last = rows.at(-1);
  const data = points.map((point) => ({ day: point.day, ...point.values }));
  const totalText = currencies.map((currency) => formatAmount(language, totals[currency] ?? "0", currency)).join(" · ");
  return (
    <section className="cmp-section" aria-labelledby="results-by-day">
      <h2 id="results-by-day" className="cmp-section-title">
        {t("results.byDayTitle")}
      </h2>
      <p className="hint">{t("results.byDayHelp")}</p>
      {first === undefined || last === undefined ? (
        <p className="list-state empty">{t("results.byDayEmpty")}</p>
      ) : (
        <>
          <p className="cmp-summary-line">
            {t("results.byDaySummary", {
              count: converted,
              formatted: number.format(converted),
              from: days.long(first.day),
              to: days.long(last.day),
              amounts: totalText !== "" ? totalText : t("results.noRevenue"),
            })}
          </p>
          {currencies.length > 0 ? (
            <CurrencyBars
              data={data}
              xKey="day"
              currencies={currencies}
              caption={t("results.byDayChartCaption")}
              tick={(day) => days.short(day)}
              label={(day) => days.long(day)}
              amount={(value, currency) => formatAmount(language, String(value), currency)}
            />
          ) : null}
          <div className="cmp-table-wrap" role="region" aria-labelledby="results-by-day-caption" tabIndex={0}>
            <table className="cmp-table">
              <caption id="results-by-day-caption">{t("results.byDayCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("results.day")}</th>
                  <th scope="col">{t("results.ordersRecovered")}</th>
                  {currencies.map((currency) => (
                    <th key={currency} scope="col">
                      {currency}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.day}>
                    <th scope="row">
                      <time dateTime={row.day}>{days.long(row.day)}</time>
                    </th>
                    <td>{number.format(row.converted)}</td>
                    {currencies.map((currency) => (
                      <td key={currency}>{formatAmount(language, row.amounts[currency] ?? "0", currency)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t("results.total")}</th>
                  <td>{number.format(converted)}</td>
                  {currencies.map((currency) => (
                    <td key={currency}>{formatAmount(language, totals[currency] ?? "0", currency)}</td>
                  ))}
                </tr>
              </tfoot>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function Reasons({ stats, kind }: { stats: CampaignStats; kind: "deferred" | "skipped" }) {
  const { t, i18n } = useTranslation("campaigns");
  const number = new Intl.NumberFormat(currentLanguage(i18n));
  const label = useGroupLabel();
  const reason = useReasonText();
  const { groups, rows } = reasonRows(stats, kind);
  const headingId = `results-${kind}`;
  return (
    <section className="cmp-section" aria-labelledby={headingId}>
      <h2 id={headingId} className="cmp-section-title">
        {t(`results.${kind}Title`)}
      </h2>
      <p className="hint">{t(`results.${kind}Help`)}</p>
      {rows.length === 0 ? (
        <p className="list-state empty">{t(`results.${kind}None`)}</p>
      ) : (
        <div className="cmp-table-wrap" role="region" aria-labelledby={`${headingId}-caption`} tabIndex={0}>
          <table className="cmp-table">
            <caption id={`${headingId}-caption`}>{t(`results.${kind}Caption`)}</caption>
            <thead>
              <tr>
                <th scope="col">{t("results.reason")}</th>
                {groups.map((group) => (
                  <th key={group.key} scope="col">
                    {label(group)}
                  </th>
                ))}
                <th scope="col">{t("results.total")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.reason}>
                  <th scope="row">{reason(kind, row.reason)}</th>
                  {groups.map((group) => (
                    <td key={group.key}>{number.format(row.counts[group.key] ?? 0)}</td>
                  ))}
                  <td>{number.format(row.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Offers the file; the browser saves it (an object URL, revoked once used). */
export function downloadText(text: string, fileName: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Audience({ id }: { id: string }) {
  const { t, i18n } = useTranslation("campaigns");
  const errorText = useErrorText();
  const audience = useAudience(id);
  const [saved, setSaved] = useState<{ count: number; file: string } | null>(null);
  const number = new Intl.NumberFormat(currentLanguage(i18n));
  const download = () => {
    setSaved(null);
    audience.mutate(undefined, {
      onSuccess: (data) => {
        const file = audienceFileName(id);
        downloadText(audienceCsv(data.hashes), file);
        setSaved({ count: data.count, file });
      },
    });
  };
  return (
    <section className="cmp-section" aria-labelledby="results-audience">
      <h2 id="results-audience" className="cmp-section-title">
        {t("audience.title")}
      </h2>
      <p className="hint">{t("audience.help")}</p>
      <Button className="button" onPress={download} isDisabled={audience.isPending}>
        {t("audience.download")}
      </Button>
      <p role="status" className="status-line cmp-after-button">
        {audience.isPending
          ? t("audience.preparing")
          : saved !== null
            ? t("audience.saved", { count: saved.count, formatted: number.format(saved.count), file: saved.file })
            : ""}
      </p>
      {audience.isError ? (
        <p role="alert" className="list-state error">
          {t("audience.failed", { message: errorText(audience.error) })}
        </p>
      ) : null}
    </section>
  );
}

/**
 * Bars per currency (one series each, never added together) over `xKey`, drawn for the eye
 * only: the table beside each chart carries the same figures for everyone.
 */
function CurrencyBars({
  data,
  xKey,
  currencies,
  caption,
  everyTick = false,
  tick,
  label,
  amount,
}: {
  data: readonly object[];
  xKey: string;
  currencies: readonly string[];
  caption: string;
  /** Every x label shown (few bars, such as steps), rather than as many as fit. */
  everyTick?: boolean;
  tick?: (x: string) => string;
  label?: (x: string) => string;
  amount?: (value: number, currency: string) => string;
}) {
  return (
    <figure className="cmp-figure">
      <div className="cmp-chart" aria-hidden="true">
        <BarChart responsive width="100%" height="100%" data={[...data]} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey={xKey}
            {...(everyTick ? { interval: 0 } : { minTickGap: 12 })}
            {...(tick === undefined ? {} : { tickFormatter: (x: string) => tick(x) })}
          />
          <YAxis />
          <Tooltip
            {...(label === undefined ? {} : { labelFormatter: (x: unknown) => label(String(x)) })}
            {...(amount === undefined
              ? {}
              : {
                  formatter: (value: unknown, name: unknown) => [
                    typeof value === "number" ? amount(value, String(name)) : String(value),
                    String(name),
                  ],
                })}
            itemSorter={inOrder(currencies)}
          />
          <Legend itemSorter={inOrder(currencies)} />
          {currencies.map((currency, i) => (
            <Bar key={currency} dataKey={currency} name={currency} fill={colour(i)} isAnimationActive={false} />
          ))}
        </BarChart>
      </div>
      <figcaption className="cmp-help">{caption}</figcaption>
    </figure>
  );
}
