// /console/reports (every staff group): for a range of days (the last 30 by default),
// contributions by platform, label or day, how fast cases are answered and closed, how
// many are within and past their SLA per priority, answers by tag or channel, and revenue
// per currency; and the classifier measured on staff's corrections (per label and per week,
// over the newest corrections, whatever the dates). Each as a chart and a table (the
// accessible version, with the same figures).

import { useId, useState, type FormEvent, type ReactNode } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { currentLanguage } from "../i18n";
import { useLearningTranslation } from "../i18n/learning";
import { Filter } from "../inbox/Filter";
import { LABELS } from "../inbox/filters";
import { formatAmount, formatDuration } from "../lib/time";
import { platformName } from "../lib/platforms";
import { useScreenTitle } from "../lib/title";
import { BarsChart } from "./Charts";
import { DataTable, QueryStates } from "./parts";
import {
  useAnswersReport,
  useContributionsReport,
  useCorrectionsReport,
  useResponseTimesReport,
  useRevenueReport,
  type AnswersBy,
  type ContributionsBy,
  type CorrectionsReport,
  type CountReport,
  type Label,
  type ResponseTimes,
  type RevenueReport,
} from "./queries";
import {
  correctionKinds,
  countRows,
  groupAmounts,
  labelMeasures,
  rangeFrom,
  rangeProblem,
  responseCounts,
  responseRows,
  revenueTotals,
  slaFigures,
  weeklyMeasures,
  weeklyRevenue,
  type DayRange,
  type RangeProblem,
} from "./reports";
import "./people.css";

function useFormats() {
  const { i18n } = useTranslation();
  const language = currentLanguage(i18n);
  const number = new Intl.NumberFormat(language);
  const day = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeZone: "UTC" });
  return {
    language,
    count: (value: number) => number.format(value),
    day: (value: string) => {
      const time = Date.parse(`${value}T00:00:00Z`);
      return Number.isNaN(time) ? value : day.format(time);
    },
  };
}

export function ReportsPage() {
  const { t } = useTranslation("people");
  const [params, setParams] = useSearchParams();
  const range = rangeFrom(params, Date.now());
  useScreenTitle(t("reports.title"));
  return (
    <div className="people">
      <h1>{t("reports.title")}</h1>
      <RangeForm key={`${range.from}/${range.to}`} range={range} onApply={(next) => setParams({ ...next }, { replace: true })} />
      <div className="pp-reports">
        <ContributionsSection range={range} />
        <ResponseTimesSection range={range} />
        <SlaSection range={range} />
        <AnswersSection range={range} />
        <RevenueSection range={range} />
        <CorrectionsSection />
      </div>
    </div>
  );
}

function RangeForm({ range, onApply }: { range: DayRange; onApply: (range: DayRange) => void }) {
  const { t } = useTranslation("people");
  const format = useFormats();
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [problem, setProblem] = useState<RangeProblem | null>(null);
  const fromId = useId();
  const toId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = { from, to };
    const found = rangeProblem(next);
    setProblem(found);
    if (found === null) onApply(next);
  };
  return (
    <form className="pp-panel pp-range-form" onSubmit={submit} noValidate aria-labelledby="range-heading">
      <h2 id="range-heading" className="visually-hidden">
        {t("reports.range")}
      </h2>
      <div className="pp-form-row pp-align-end">
        <div className="pp-form-field">
          <label htmlFor={fromId}>{t("reports.from")}</label>
          <input id={fromId} className="pp-input" type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} required />
        </div>
        <div className="pp-form-field">
          <label htmlFor={toId}>{t("reports.to")}</label>
          <input id={toId} className="pp-input" type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} required />
        </div>
        <Button type="submit" className="button primary">
          {t("reports.apply")}
        </Button>
      </div>
      <p className="pp-field-hint">{t("reports.rangeHint", { from: format.day(range.from), to: format.day(range.to) })}</p>
      {problem !== null ? (
        <p role="alert" className="error">
          {t(`reports.problem.${problem}`)}
        </p>
      ) : null}
    </form>
  );
}

function Section({ id, title, intro, children }: { id: string; title: string; intro?: string; children: ReactNode }) {
  return (
    <section className="pp-panel pp-report" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {intro !== undefined ? <p className="hint">{intro}</p> : null}
      {children}
    </section>
  );
}

const CONTRIBUTIONS_BY: readonly ContributionsBy[] = ["platform", "label", "day"];

function ContributionsSection({ range }: { range: DayRange }) {
  const { t } = useTranslation("people");
  const [by, setBy] = useState<ContributionsBy>("platform");
  const query = useContributionsReport(range, by);
  return (
    <Section id="contributions-heading" title={t("reports.contributions.title")}>
      <Filter
        label={t("reports.by")}
        value={by}
        onChange={setBy}
        options={CONTRIBUTIONS_BY.map((id) => ({ id, label: t(`reports.contributions.by.${id}`) }))}
      />
      <QueryStates query={query}>{(report) => <CountFigures report={report} kind="contributions" />}</QueryStates>
    </Section>
  );
}

const ANSWERS_BY: readonly AnswersBy[] = ["tag", "channel"];

function AnswersSection({ range }: { range: DayRange }) {
  const { t } = useTranslation("people");
  const [by, setBy] = useState<AnswersBy>("channel");
  const query = useAnswersReport(range, by);
  return (
    <Section id="answers-heading" title={t("reports.answers.title")} intro={t("reports.answers.intro")}>
      <Filter
        label={t("reports.by")}
        value={by}
        onChange={setBy}
        options={ANSWERS_BY.map((id) => ({ id, label: t(`reports.answers.by.${id}`) }))}
      />
      <QueryStates query={query}>{(report) => <CountFigures report={report} kind="answers" />}</QueryStates>
    </Section>
  );
}

/** A count report: what each key is called, its chart and its table. */
function CountFigures({ report, kind }: { report: CountReport; kind: "contributions" | "answers" }) {
  const { t } = useTranslation("people");
  const { t: tShell } = useTranslation();
  const format = useFormats();
  const name = (key: string): string => {
    switch (report.by) {
      case "platform":
        return platformName(key);
      case "label":
        return key === "incident" || key === "purchase_intent" || key === "question" || key === "praise" || key === "spam" || key === "other"
          ? tShell(`label.${key}`)
          : key;
      case "day":
        return format.day(key);
      case "channel":
        return key === "public_reply" || key === "private_message" || key === "email" ? t(`channel.${key}`) : key;
      default:
        return key;
    }
  };
  const rows = countRows(report).map((row) => ({ name: name(row.key), count: row.count }));
  const keyHeader = t(`reports.keys.${report.by === "day" || report.by === "platform" || report.by === "label" || report.by === "channel" ? report.by : "tag"}`);
  const countHeader = t(`reports.${kind}.count`);
  return (
    <>
      <p className="pp-total">{t(`reports.${kind}.total`, { count: report.total })}</p>
      {rows.length === 0 ? (
        <p className="list-state empty">{t(`reports.${kind}.empty`)}</p>
      ) : (
        <>
          <BarsChart
            rows={rows}
            labelKey="name"
            series={[{ key: "count", name: countHeader, className: "pp-series-a" }]}
            format={format.count}
          />
          <DataTable caption={t(`reports.${kind}.caption`, { by: keyHeader.toLowerCase() })}>
            <thead>
              <tr>
                <th scope="col">{keyHeader}</th>
                <th scope="col" className="pp-number">
                  {countHeader}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => (
                <tr key={`${row.name}-${index}`}>
                  <th scope="row">{row.name}</th>
                  <td className="pp-number">{format.count(row.count)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t("reports.totalRow")}</th>
                <td className="pp-number">{format.count(report.total)}</td>
              </tr>
            </tfoot>
          </DataTable>
        </>
      )}
    </>
  );
}

function ResponseTimesSection({ range }: { range: DayRange }) {
  const { t } = useTranslation("people");
  const query = useResponseTimesReport(range);
  return (
    <Section id="response-heading" title={t("reports.response.title")} intro={t("reports.response.intro")}>
      <QueryStates query={query}>{(report) => <ResponseFigures report={report} />}</QueryStates>
    </Section>
  );
}

function ResponseFigures({ report }: { report: ResponseTimes }) {
  const { t } = useTranslation("people");
  const { t: tShell } = useTranslation();
  const format = useFormats();
  const counts = responseCounts(report);
  const minutes = (value: number | null) => (value === null ? t("reports.response.none") : formatDuration(tShell, value * 60_000));
  const rows = responseRows(report);
  const chartRows = rows.map((row) => ({
    name: t(`reports.response.measure.${row.measure}`),
    median: row.median,
    p90: row.p90,
  }));
  return (
    <>
      <p className="pp-total">
        {t("reports.response.counts", {
          opened: format.count(counts.opened),
          answered: format.count(counts.answered),
          closed: format.count(counts.closed),
          count: counts.opened,
        })}
      </p>
      {rows.some((row) => row.median !== null) ? (
        <BarsChart
          rows={chartRows}
          labelKey="name"
          series={[
            { key: "median", name: t("reports.response.median"), className: "pp-series-a" },
            { key: "p90", name: t("reports.response.p90"), className: "pp-series-b" },
          ]}
          format={(value) => formatDuration(tShell, value * 60_000)}
        />
      ) : null}
      <DataTable caption={t("reports.response.caption")}>
        <thead>
          <tr>
            <th scope="col">{t("reports.response.measureHeader")}</th>
            <th scope="col" className="pp-number">
              {t("reports.response.cases")}
            </th>
            <th scope="col" className="pp-number">
              {t("reports.response.median")}
            </th>
            <th scope="col" className="pp-number">
              {t("reports.response.p90")}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.measure}>
              <th scope="row">{t(`reports.response.measure.${row.measure}`)}</th>
              <td className="pp-number">{format.count(row.count)}</td>
              <td className="pp-number">{minutes(row.median)}</td>
              <td className="pp-number">{minutes(row.p90)}</td>
            </tr>
          ))}
        </tbody>
      </DataTable>
    </>
  );
}

/** The same report as the response times (one request: the query is shared). */
function SlaSection({ range }: { range: DayRange }) {
  const { t } = useTranslation("people");
  const query = useResponseTimesReport(range);
  return (
    <Section id="sla-heading" title={t("reports.sla.title")} intro={t("reports.sla.intro")}>
      <QueryStates query={query}>{(report) => <SlaFiguresView report={report} />}</QueryStates>
    </Section>
  );
}

function SlaFiguresView({ report }: { report: ResponseTimes }) {
  const { t } = useTranslation("people");
  const format = useFormats();
  const percent = new Intl.NumberFormat(format.language, { style: "percent", maximumFractionDigits: 0 });
  const { rows, totals, withoutSla, withinShare } = slaFigures(report);
  const name = (priority: string) => (priority === "unknown" || priority === "" ? t("reports.sla.noPriority") : priority);
  const chartRows = rows.map((row) => ({ name: name(row.priority), within: row.within, past: row.past, running: row.running }));
  return (
    <>
      <p className="pp-total">
        {t("reports.sla.totals", {
          count: totals.total,
          within: format.count(totals.within),
          past: format.count(totals.past),
          running: format.count(totals.running),
        })}
      </p>
      {withinShare !== null || withoutSla > 0 ? (
        <ul className="pp-figures">
          {withinShare !== null ? <li>{t("reports.sla.share", { percent: percent.format(withinShare) })}</li> : null}
          {withoutSla > 0 ? <li>{t("reports.sla.withoutSla", { count: withoutSla })}</li> : null}
        </ul>
      ) : null}
      {totals.total === 0 ? (
        <p className="list-state empty">{t("reports.sla.empty")}</p>
      ) : (
        <>
          <BarsChart
            rows={chartRows}
            labelKey="name"
            stacked
            series={[
              { key: "within", name: t("reports.sla.within"), className: "pp-series-a" },
              { key: "past", name: t("reports.sla.past"), className: "pp-series-b" },
              { key: "running", name: t("reports.sla.running"), className: "pp-series-c" },
            ]}
            format={format.count}
          />
          <DataTable caption={t("reports.sla.caption")}>
            <thead>
              <tr>
                <th scope="col">{t("reports.sla.priority")}</th>
                <th scope="col" className="pp-number">
                  {t("reports.sla.within")}
                </th>
                <th scope="col" className="pp-number">
                  {t("reports.sla.past")}
                </th>
                <th scope="col" className="pp-number">
                  {t("reports.sla.running")}
                </th>
                <th scope="col" className="pp-number">
                  {t("reports.sla.total")}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.priority}>
                  <th scope="row">{name(row.priority)}</th>
                  <td className="pp-number">{format.count(row.within)}</td>
                  <td className="pp-number">{format.count(row.past)}</td>
                  <td className="pp-number">{format.count(row.running)}</td>
                  <td className="pp-number">{format.count(row.total)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t("reports.totalRow")}</th>
                <td className="pp-number">{format.count(totals.within)}</td>
                <td className="pp-number">{format.count(totals.past)}</td>
                <td className="pp-number">{format.count(totals.running)}</td>
                <td className="pp-number">{format.count(totals.total)}</td>
              </tr>
            </tfoot>
          </DataTable>
        </>
      )}
    </>
  );
}

function RevenueSection({ range }: { range: DayRange }) {
  const { t } = useTranslation("people");
  const query = useRevenueReport(range);
  return (
    <Section id="revenue-heading" title={t("reports.revenue.title")} intro={t("reports.revenue.intro")}>
      <QueryStates query={query}>{(report) => <RevenueFigures report={report} />}</QueryStates>
    </Section>
  );
}

function RevenueFigures({ report }: { report: RevenueReport }) {
  const { t } = useTranslation("people");
  const format = useFormats();
  const money = (amount: string | undefined, currency: string) =>
    amount === undefined ? "—" : formatAmount(format.language, amount, currency);
  const totals = revenueTotals(report);
  const weekly = weeklyRevenue(report);
  const byPlatform = groupAmounts(report.opportunities.by_platform);
  return (
    <>
      <ul className="pp-figures">
        <li>{t("reports.revenue.won", { count: report.opportunities.won })}</li>
        {report.opportunities.won_without_amount > 0 ? (
          <li>
            {t("reports.revenue.wonWithoutAmount", {
              count: report.opportunities.won_without_amount,
            })}
          </li>
        ) : null}
        <li>
          {t("reports.revenue.referralOrders", {
            count: report.referrals.orders,
            flagged: format.count(report.referrals.flagged),
          })}
        </li>
        <li>
          {t("reports.revenue.relaunch", {
            campaigns: format.count(report.relaunch.campaigns),
            emails: report.relaunch.emails_sent,
            orders: report.relaunch.orders,
          })}
        </li>
        <li>
          {t("reports.revenue.answersPublished", {
            count: report.cost.answers_published,
          })}
        </li>
      </ul>
      {totals.length === 0 ? (
        <p className="list-state empty">{t("reports.revenue.empty")}</p>
      ) : (
        <DataTable caption={t("reports.revenue.totalsCaption")}>
          <thead>
            <tr>
              <th scope="col">{t("reports.revenue.currency")}</th>
              <th scope="col" className="pp-number">
                {t("reports.revenue.opportunities")}
              </th>
              <th scope="col" className="pp-number">
                {t("reports.revenue.relaunchRevenue")}
              </th>
              <th scope="col" className="pp-number">
                {t("reports.revenue.referrals")}
              </th>
              <th scope="col" className="pp-number">
                {t("reports.revenue.rewards")}
              </th>
            </tr>
          </thead>
          <tbody>
            {totals.map((row) => (
              <tr key={row.currency}>
                <th scope="row">{row.currency}</th>
                <td className="pp-number">{money(row.opportunities, row.currency)}</td>
                <td className="pp-number">{money(row.relaunch, row.currency)}</td>
                <td className="pp-number">{money(row.referrals, row.currency)}</td>
                <td className="pp-number">{money(row.rewards, row.currency)}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
      {weekly.map(({ currency, weeks }) => (
        <div key={currency} className="pp-per-currency">
          <h3>{t("reports.revenue.weeklyHeading", { currency })}</h3>
          <BarsChart
            rows={weeks}
            labelKey="week"
            series={[
              { key: "opportunities", name: t("reports.revenue.opportunities"), className: "pp-series-a" },
              { key: "referrals", name: t("reports.revenue.referrals"), className: "pp-series-b" },
            ]}
            format={(value) => formatAmount(format.language, String(value), currency)}
          />
          <DataTable caption={t("reports.revenue.weeklyCaption", { currency })}>
            <thead>
              <tr>
                <th scope="col">{t("reports.revenue.week")}</th>
                <th scope="col" className="pp-number">
                  {t("reports.revenue.opportunities")}
                </th>
                <th scope="col" className="pp-number">
                  {t("reports.revenue.referrals")}
                </th>
              </tr>
            </thead>
            <tbody>
              {weeks.map((row) => (
                <tr key={row.week}>
                  <th scope="row">{row.week}</th>
                  <td className="pp-number">{money(row.opportunitiesAmount, currency)}</td>
                  <td className="pp-number">{money(row.referralsAmount, currency)}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </div>
      ))}
      {byPlatform.length > 0 ? (
        <DataTable caption={t("reports.revenue.byPlatformCaption")}>
          <thead>
            <tr>
              <th scope="col">{t("reports.keys.platform")}</th>
              <th scope="col">{t("reports.revenue.currency")}</th>
              <th scope="col" className="pp-number">
                {t("reports.revenue.opportunities")}
              </th>
            </tr>
          </thead>
          <tbody>
            {byPlatform.map((row) => (
              <tr key={`${row.group}-${row.currency}`}>
                <th scope="row">{platformName(row.group)}</th>
                <td>{row.currency}</td>
                <td className="pp-number">{formatAmount(format.language, row.amount, row.currency)}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      ) : null}
    </>
  );
}

/** The classifier measured on staff's corrections (not per range: the newest corrections). */
function CorrectionsSection() {
  const { t } = useLearningTranslation();
  const query = useCorrectionsReport();
  return (
    <Section id="corrections-heading" title={t("report.title")} intro={t("report.intro")}>
      <QueryStates query={query}>{(report) => <CorrectionFigures report={report} />}</QueryStates>
    </Section>
  );
}

function CorrectionFigures({ report }: { report: CorrectionsReport }) {
  const { t } = useLearningTranslation();
  const { t: tShell } = useTranslation();
  const format = useFormats();
  const percentFormat = new Intl.NumberFormat(format.language, { style: "percent", maximumFractionDigits: 0 });
  const percent = (value: number | null) => (value === null ? t("report.none") : percentFormat.format(value));
  const kinds = correctionKinds(report.by_kind);
  const rows = labelMeasures(report);
  return (
    <>
      <ul className="pp-figures">
        <li>{t("report.corrections", { count: report.corrections })}</li>
        <li>{t("report.confirmations", { count: report.confirmations })}</li>
        <li>{t("report.learnedFrom", { learned: format.count(report.learned_from), limit: format.count(report.limit) })}</li>
        {kinds.length > 0 ? (
          <li>
            {t("report.byKind", {
              list: kinds
                .map(({ kind, count }) => {
                  const name =
                    kind === "relabel" || kind === "moderation" || kind === "case" || kind === "opportunity" || kind === "question"
                      ? t(`report.kinds.${kind}`)
                      : kind;
                  return `${name} ${format.count(count)}`;
                })
                .join(", "),
            })}
          </li>
        ) : null}
      </ul>
      {report.corrections + report.confirmations === 0 ? (
        <p className="list-state empty">{t("report.empty")}</p>
      ) : (
        <>
          <DataTable caption={t("report.caption")}>
            <thead>
              <tr>
                <th scope="col">{t("report.label")}</th>
                <th scope="col" className="pp-number">
                  {t("report.predicted")}
                </th>
                <th scope="col" className="pp-number">
                  {t("report.actual")}
                </th>
                <th scope="col" className="pp-number">
                  {t("report.right")}
                </th>
                <th scope="col" className="pp-number">
                  {t("report.precision")}
                </th>
                <th scope="col" className="pp-number">
                  {t("report.recall")}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.label}>
                  <th scope="row">{tShell(`label.${row.label}`)}</th>
                  <td className="pp-number">{format.count(row.predicted)}</td>
                  <td className="pp-number">{format.count(row.actual)}</td>
                  <td className="pp-number">{format.count(row.right)}</td>
                  <td className="pp-number">{percent(row.precision)}</td>
                  <td className="pp-number">{percent(row.recall)}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
          <CorrectionWeeks report={report} percent={percent} />
        </>
      )}
    </>
  );
}

/** One label's precision and recall per week: a chart, and its table. */
function CorrectionWeeks({ report, percent }: { report: CorrectionsReport; percent: (value: number | null) => string }) {
  const { t } = useLearningTranslation();
  const { t: tShell } = useTranslation();
  const format = useFormats();
  const [label, setLabel] = useState<Label>("incident");
  const weeks = weeklyMeasures(report, label);
  const name = tShell(`label.${label}`);
  // The chart in whole percents; a week with nothing to measure has no bar.
  const chartRows = weeks.map((week) => ({
    week: format.day(week.week),
    precision: week.precision === null ? null : Math.round(week.precision * 100),
    recall: week.recall === null ? null : Math.round(week.recall * 100),
  }));
  return (
    <div className="pp-per-currency">
      <h3>{t("report.weeks.heading")}</h3>
      <Filter
        label={t("report.weeks.pick")}
        value={label}
        onChange={setLabel}
        options={LABELS.map((id) => ({ id, label: tShell(`label.${id}`) }))}
      />
      {weeks.length === 0 ? (
        <p className="list-state empty">{t("report.weeks.empty")}</p>
      ) : (
        <>
          <BarsChart
            rows={chartRows}
            labelKey="week"
            series={[
              { key: "precision", name: t("report.precision"), className: "pp-series-a" },
              { key: "recall", name: t("report.recall"), className: "pp-series-b" },
            ]}
            format={(value) => percent(value / 100)}
            max={100}
          />
          <DataTable caption={t("report.weeks.caption", { label: name })}>
            <thead>
              <tr>
                <th scope="col">{t("report.weeks.week")}</th>
                <th scope="col" className="pp-number">
                  {t("report.weeks.corrections")}
                </th>
                <th scope="col" className="pp-number">
                  {t("report.weeks.confirmations")}
                </th>
                <th scope="col" className="pp-number">
                  {t("report.precision")}
                </th>
                <th scope="col" className="pp-number">
                  {t("report.recall")}
                </th>
              </tr>
            </thead>
            <tbody>
              {weeks.map((week) => (
                <tr key={week.week}>
                  <th scope="row">{format.day(week.week)}</th>
                  <td className="pp-number">{format.count(week.corrections)}</td>
                  <td className="pp-number">{format.count(week.confirmations)}</td>
                  <td className="pp-number">{percent(week.precision)}</td>
                  <td className="pp-number">{percent(week.recall)}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        </>
      )}
    </div>
  );
}
