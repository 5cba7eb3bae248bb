// /console/inbox: what is waiting for the user, one tab per list their groups may read,
// under a filter bar that every tab shares. The tab and the filters live in the URL's
// search params (`?tab=cases&source=src_…&assignee=none`): a filtered inbox can be
// bookmarked or shared, and the back button undoes a filter (a tab change replaces the
// entry, a filter change adds one).

import { useRef, type ComponentType } from "react";
import { Tab, TabList, TabPanel, Tabs, type Key } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { inboxTabsFor, type InboxTab } from "../access";
import { useConsole } from "../app/context";
import { useScreenTitle } from "../lib/title";
import { ClockProvider } from "../lib/clock";
import { CasesPanel } from "./CasesPanel";
import { FilterBar } from "./FilterBar";
import { readFilters, withFilters, withoutFilters, type FilterChanges, type InboxFilters } from "./filters";
import { ModerationPanel } from "./ModerationPanel";
import { OpportunitiesPanel } from "./OpportunitiesPanel";
import { QuestionsPanel } from "./QuestionsPanel";

/** What every panel gets: the filters in force, and how to clear them (its empty state). */
export interface PanelProps {
  filters: InboxFilters;
  onClearFilters: () => void;
}

const PANELS: Record<InboxTab, ComponentType<PanelProps>> = {
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
  const filters = readFilters(params);
  const clearButton = useRef<HTMLButtonElement>(null);

  // The address as the last change left it: two changes in one event (a typed filter
  // applied on blur as a tab is clicked) build on each other, not on the same render's.
  // (Re-read from the router whenever the address changes: a link, back, forward.)
  const latest = useRef(params);
  const seen = useRef(params);
  if (seen.current !== params) {
    seen.current = params;
    latest.current = params;
  }
  const navigate = (next: URLSearchParams, replace: boolean) => {
    if (next.toString() === latest.current.toString()) return;
    latest.current = next;
    setParams(next, { replace });
  };

  const select = (key: Key) => {
    const tab = tabs.find((candidate) => candidate === key);
    if (tab === undefined) return;
    const next = new URLSearchParams(latest.current);
    next.set("tab", tab);
    navigate(next, true);
  };
  // A filter change is a new history entry: the back button undoes it.
  const change = (changes: FilterChanges) => navigate(withFilters(latest.current, changes), false);
  const clear = () => navigate(withoutFilters(latest.current), false);
  // From a list's empty state, whose button goes away: focus stays by the filters.
  const clearFromList = () => {
    clear();
    clearButton.current?.focus();
  };

  // The bar needs no clock: rendered first, it does not age the lists' countdowns.
  return (
    <>
      <h1>{t("inbox.title")}</h1>
      <p className="hint">{t("inbox.autoRefresh")}</p>
      {selected !== undefined ? (
        <FilterBar tab={selected} filters={filters} onChange={change} onClear={clear} clearRef={clearButton} />
      ) : null}
      <ClockProvider>
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
                  <Panel filters={filters} onClearFilters={clearFromList} />
                </TabPanel>
              );
            })}
          </Tabs>
        ) : null}
      </ClockProvider>
    </>
  );
}
