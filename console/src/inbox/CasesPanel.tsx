import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { platformName } from "../lib/platforms";
import { firstLine } from "../lib/text";
import { Filter } from "./Filter";
import type { PanelProps } from "./InboxPage";
import { ListStates } from "./ListStates";
import { ClearFilters, Countdown, DateTime, Field, Priority, WorkTags } from "./parts";
import { hasFilters } from "./filters";
import { useCases, type WorkStatus } from "./queries";

/** GET /admin/cases: incidents, soonest due first, with the inbox's filters. */
export function CasesPanel({ filters, onClearFilters }: PanelProps) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<WorkStatus>("open");
  const query = useCases(status, filters);
  const filtered = hasFilters(filters);
  return (
    <>
      <Filter
        label={t("inbox.status.label")}
        value={status}
        onChange={setStatus}
        options={[
          { id: "open", label: t("inbox.status.open") },
          { id: "closed", label: t("inbox.status.closed") },
        ]}
      />
      <ListStates
        query={query}
        empty={
          filtered
            ? t("inbox.emptyFiltered.cases")
            : status === "open"
              ? t("inbox.empty.casesOpen")
              : t("inbox.empty.casesClosed")
        }
        emptySoFar={t("inbox.emptySoFar")}
        emptyAction={filtered ? <ClearFilters onPress={onClearFilters} /> : undefined}
      >
        {(cases) => (
          <ul className="items">
            {cases.map((item) => (
              <li key={item.id} className="item">
                <p className="item-text">
                  <Link to={`/cases/${encodeURIComponent(item.id)}`}>{firstLine(item.text)}</Link>
                </p>
                <dl className="item-fields">
                  <Field label={t("inbox.fields.priority")}>
                    <Priority value={item.priority} />
                  </Field>
                  {item.status === "closed" && item.closed_at !== undefined ? (
                    <Field label={t("inbox.fields.closed")}>
                      <DateTime value={item.closed_at} />
                    </Field>
                  ) : (
                    <Field label={t("inbox.fields.due")}>
                      <Countdown dueAt={item.due_at} />
                    </Field>
                  )}
                  <Field label={t("inbox.fields.platform")}>{platformName(item.platform)}</Field>
                  <Field label={t("inbox.fields.assignee")}>{item.assignee ?? t("inbox.unassigned")}</Field>
                  <WorkTags item={item} />
                </dl>
              </li>
            ))}
          </ul>
        )}
      </ListStates>
    </>
  );
}
