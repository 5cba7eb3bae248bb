import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Group } from "../auth/session";
import { useConsole } from "../app/context";
import { Filter } from "./Filter";
import { hasFilters } from "./filters";
import type { PanelProps } from "./InboxPage";
import { ListStates } from "./ListStates";
import { ClearFilters, Countdown, Field, Priority, WorkTags } from "./parts";
import { useQuestions, type Team } from "./queries";

type OwnerFilter = Team | "all";

/** A marketer sees marketing's questions first, customer service its own; others all. */
export function defaultOwner(groups: readonly Group[]): OwnerFilter {
  if (groups.includes("liaison-admin")) return "all";
  const support = groups.includes("liaison-support");
  const marketer = groups.includes("liaison-marketer");
  if (marketer && !support) return "marketing";
  if (support && !marketer) return "support";
  return "all";
}

/** GET /admin/questions[?owner=support|marketing]: questions, soonest due first, with the
 * inbox's filters. */
export function QuestionsPanel({ filters, onClearFilters }: PanelProps) {
  const { t } = useTranslation();
  const { session } = useConsole();
  const [owner, setOwner] = useState<OwnerFilter>(() => defaultOwner(session.groups));
  const query = useQuestions(owner === "all" ? null : owner, filters);
  const filtered = hasFilters(filters);
  return (
    <>
      <Filter
        label={t("inbox.owner.label")}
        value={owner}
        onChange={setOwner}
        options={[
          { id: "all", label: t("inbox.owner.all") },
          { id: "support", label: t("inbox.owner.support") },
          { id: "marketing", label: t("inbox.owner.marketing") },
          { id: "press", label: t("inbox.owner.press") },
        ]}
      />
      <ListStates
        query={query}
        empty={filtered ? t("inbox.emptyFiltered.questions") : t("inbox.empty.questions")}
        emptySoFar={t("inbox.emptySoFar")}
        emptyAction={filtered ? <ClearFilters onPress={onClearFilters} /> : undefined}
      >
        {(questions) => (
          <ul className="items">
            {questions.map((item) => (
              <li key={item.id} className="item">
                <p className="item-text clamp">
                  <Link to={`/questions/${encodeURIComponent(item.id)}`}>{item.text}</Link>
                </p>
                <dl className="item-fields">
                  <Field label={t("inbox.fields.owner")}>{t(`inbox.owner.${item.owner}`)}</Field>
                  <Field label={t("inbox.fields.priority")}>
                    <Priority value={item.priority} />
                  </Field>
                  <Field label={t("inbox.fields.due")}>
                    <Countdown dueAt={item.due_at} />
                  </Field>
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
