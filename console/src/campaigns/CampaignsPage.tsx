// /console/campaigns: every relaunch campaign (GET /admin/campaigns, oldest first as the API
// gives them), with its status now, its steps, when it was created and changed; a way to
// write a new one.

import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useScreenTitle } from "../lib/title";
import { DateTime, QueryState, StatusBadge } from "./parts";
import { useCampaigns } from "./queries";
import "./campaigns.css";

export function CampaignsPage() {
  const { t } = useTranslation("campaigns");
  const query = useCampaigns();
  useScreenTitle(t("list.title"));
  return (
    <>
      <div className="cmp-heading">
        <h1>{t("list.title")}</h1>
        <Link to="/campaigns/new" className="button primary cmp-link-button">
          {t("list.new")}
        </Link>
      </div>
      <p className="hint">{t("list.intro")}</p>
      <QueryState query={query} loading={t("states.loadingList")}>
        {(campaigns) =>
          campaigns.length === 0 ? (
            <p role="status" className="list-state empty">
              {t("list.empty")}
            </p>
          ) : (
            <>
              <p className="visually-hidden" role="status">
                {t("list.count", { count: campaigns.length })}
              </p>
              <ul className="items" aria-label={t("list.label")}>
                {campaigns.map((campaign) => (
                  <li key={campaign.id} className="item cmp-item">
                    <p className="item-text">
                      <Link to={`/campaigns/${campaign.id}`}>{campaign.name}</Link>
                    </p>
                    <dl className="item-fields">
                      <div className="field">
                        <dt>{t("list.status")}</dt>
                        <dd>
                          <StatusBadge status={campaign.status} />
                        </dd>
                      </div>
                      <div className="field">
                        <dt>{t("list.steps")}</dt>
                        <dd>{t("list.stepCount", { count: campaign.steps.length })}</dd>
                      </div>
                      <div className="field">
                        <dt>{t("list.created")}</dt>
                        <dd>
                          <DateTime value={campaign.created_at} />
                        </dd>
                      </div>
                      <div className="field">
                        <dt>{t("list.updated")}</dt>
                        <dd>
                          <DateTime value={campaign.updated_at} />
                        </dd>
                      </div>
                    </dl>
                    <p className="cmp-item-links">
                      <Link to={`/campaigns/${campaign.id}/results`} aria-label={t("list.resultsOf", { name: campaign.name })}>
                        {t("list.results")}
                      </Link>
                    </p>
                  </li>
                ))}
              </ul>
            </>
          )
        }
      </QueryState>
    </>
  );
}
