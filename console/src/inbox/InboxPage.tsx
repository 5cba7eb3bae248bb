// /console/inbox: what is waiting for the user, one tab per list their groups may read.

import type { ComponentType } from "react";
import { Tab, TabList, TabPanel, Tabs, type Key } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { inboxTabsFor, type InboxTab } from "../access";
import { useConsole } from "../app/context";
import { useScreenTitle } from "../lib/title";
import { ClockProvider } from "../lib/clock";
import { CasesPanel } from "./CasesPanel";
import { ModerationPanel } from "./ModerationPanel";
import { OpportunitiesPanel } from "./OpportunitiesPanel";
import { QuestionsPanel } from "./QuestionsPanel";

const PANELS: Record<InboxTab, ComponentType> = {
  cases: CasesPanel,
  questions: QuestionsPanel,
  opportunities: OpportunitiesPanel,
  moderation: ModerationPanel,
};

export function InboxPage() {
  const { t } = useTranslation();
  const { session } = useConsole();
  const [params, setParams] = useSearchParams();
  const tabs = inboxTabsFor(session.groups);
  useScreenTitle(t("inbox.title"));

  const requested = params.get("tab");
  const selected = tabs.find((tab) => tab === requested) ?? tabs[0];
  const select = (key: Key) => {
    const tab = tabs.find((candidate) => candidate === key);
    if (tab !== undefined) setParams({ tab }, { replace: true });
  };

  return (
    <ClockProvider>
      <h1>{t("inbox.title")}</h1>
      <p className="hint">{t("inbox.autoRefresh")}</p>
      {selected !== undefined ? (
        <Tabs className="tabs" selectedKey={selected} onSelectionChange={select}>
          <TabList className="tab-list" aria-label={t("inbox.tabsLabel")}>
            {tabs.map((tab) => (
              <Tab key={tab} id={tab} className="tab">
                {t(`inbox.tabs.${tab}`)}
              </Tab>
            ))}
          </TabList>
          {tabs.map((tab) => {
            const Panel = PANELS[tab];
            return (
              <TabPanel key={tab} id={tab} className="tab-panel">
                <Panel />
              </TabPanel>
            );
          })}
        </Tabs>
      ) : null}
    </ClockProvider>
  );
}
