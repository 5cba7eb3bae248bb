// The routes of this area (campaigns: the list, the form with its template preview and its
// actions, the results), under the shell; each one guarded by its screen, so that a user
// whose groups may not use campaigns finds nothing here ("Page not found").

import { lazy } from "react";
import type { RouteObject } from "react-router";
import { guarded } from "../app/guard";

// Each page is loaded when first opened (its own chunk; the results bring the charts), so
// the first screen loads only the shell and the inbox.
const CampaignsPage = lazy(() => import("./CampaignsPage").then((m) => ({ default: m.CampaignsPage })));
const NewCampaignPage = lazy(() => import("./CampaignEditor").then((m) => ({ default: m.NewCampaignPage })));
const EditCampaignPage = lazy(() => import("./CampaignEditor").then((m) => ({ default: m.EditCampaignPage })));
const ResultsPage = lazy(() => import("./ResultsPage").then((m) => ({ default: m.ResultsPage })));

export const CAMPAIGN_ROUTES: RouteObject[] = [
  { path: "campaigns", element: guarded("campaigns", <CampaignsPage />) },
  { path: "campaigns/new", element: guarded("campaigns", <NewCampaignPage />) },
  { path: "campaigns/:id", element: guarded("campaigns", <EditCampaignPage />) },
  { path: "campaigns/:id/results", element: guarded("campaigns", <ResultsPage />) },
];
