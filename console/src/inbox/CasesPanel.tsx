import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { platformName } from "../lib/platforms";
import { firstLine } from "../lib/text";
import { Filter } from "./Filter";
import { ListStates } from "./ListStates";
import { Countdown, DateTime, Field, Priority } from "./parts";
import { useCases, type WorkStatus } from "./queries";

/** GET /admin/cases: incidents, soonest due first. */
export function CasesPanel() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<WorkStatus>("open");
  const query = useCases(status);
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
      <ListStates query={query} empty={status === "open" ? t("inbox.empty.casesOpen") : t("inbox.empty.casesClosed")}>
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
                </dl>
              </li>
            ))}
          </ul>
        )}
      </ListStates>
    </>
  );
}
