import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { currentLanguage } from "../i18n";
import { platformName } from "../lib/platforms";
import { formatAmount } from "../lib/time";
import { ListStates } from "./ListStates";
import { Field } from "./parts";
import { useOpportunities } from "./queries";

/** GET /admin/opportunities: open purchase intents, oldest first. */
export function OpportunitiesPanel() {
  const { t, i18n } = useTranslation();
  const query = useOpportunities();
  const language = currentLanguage(i18n);
  return (
    <ListStates query={query} empty={t("inbox.empty.opportunities")}>
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
              </dl>
            </li>
          ))}
        </ul>
      )}
    </ListStates>
  );
}
