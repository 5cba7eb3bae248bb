import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { currentLanguage } from "../i18n";
import { platformName } from "../lib/platforms";
import { formatAmount } from "../lib/time";
import { hasFilters } from "./filters";
import type { PanelProps } from "./InboxPage";
import { ListStates } from "./ListStates";
import { ClearFilters, Field, WorkTags } from "./parts";
import { useOpportunities } from "./queries";

/** GET /admin/opportunities: open purchase intents, oldest first, with the inbox's filters. */
export function OpportunitiesPanel({ filters, onClearFilters }: PanelProps) {
  const { t, i18n } = useTranslation();
  const query = useOpportunities(filters);
  const language = currentLanguage(i18n);
  const filtered = hasFilters(filters);
  return (
    <ListStates
      query={query}
      empty={filtered ? t("inbox.emptyFiltered.opportunities") : t("inbox.empty.opportunities")}
      emptySoFar={t("inbox.emptySoFar")}
      emptyAction={filtered ? <ClearFilters onPress={onClearFilters} /> : undefined}
    >
      {(opportunities) => (
        <ul className="items">
          {opportunities.map((item) => (
            <li key={item.id} className="item">
              <p className="item-text clamp">
                <Link to={`/opportunities/${encodeURIComponent(item.id)}`}>{item.text}</Link>
              </p>
              <dl className="item-fields">
                <Field label={t("inbox.fields.platform")}>{platformName(item.platform)}</Field>
                <Field label={t("inbox.fields.stage")}>{item.stage ?? t("inbox.noStage")}</Field>
                <Field label={t("inbox.fields.amount")}>
                  {item.amount !== undefined ? formatAmount(language, item.amount, item.currency) : t("inbox.noAmount")}
                </Field>
                <Field label={t("inbox.fields.assignee")}>{item.assignee ?? t("inbox.unassigned")}</Field>
                <WorkTags item={item} />
              </dl>
            </li>
          ))}
        </ul>
      )}
    </ListStates>
  );
}
