// The routes of this area (sources, endpoints, rules, verification email templates, callbacks, referral conversions), under the shell; each one guarded by its screen
// (`guarded` from app/guard.tsx).

import type { RouteObject } from "react-router";
import { lazy } from "react";
import { guarded } from "../app/guard";

// Each page is loaded when first opened (its own chunk: the charts library with it), so
// the first screen loads only the shell and the inbox.
const CallbacksPage = lazy(() => import("./CallbacksPage").then((m) => ({ default: m.CallbacksPage })));
const EndpointPage = lazy(() => import("./EndpointsPages").then((m) => ({ default: m.EndpointPage })));
const EndpointsPage = lazy(() => import("./EndpointsPages").then((m) => ({ default: m.EndpointsPage })));
const NewEndpointPage = lazy(() => import("./EndpointsPages").then((m) => ({ default: m.NewEndpointPage })));
const ProgrammesPage = lazy(() => import("./ProgrammesPage").then((m) => ({ default: m.ProgrammesPage })));
const ReferralsPage = lazy(() => import("./ReferralsPage").then((m) => ({ default: m.ReferralsPage })));
const EditRulePage = lazy(() => import("./RulesPages").then((m) => ({ default: m.EditRulePage })));
const NewRulePage = lazy(() => import("./RulesPages").then((m) => ({ default: m.NewRulePage })));
const RulesPage = lazy(() => import("./RulesPages").then((m) => ({ default: m.RulesPage })));
const NewSourcePage = lazy(() => import("./SourcesPages").then((m) => ({ default: m.NewSourcePage })));
const SourcePage = lazy(() => import("./SourcesPages").then((m) => ({ default: m.SourcePage })));
const SourcesPage = lazy(() => import("./SourcesPages").then((m) => ({ default: m.SourcesPage })));
const TemplatesPage = lazy(() => import("./TemplatesPage").then((m) => ({ default: m.TemplatesPage })));

export const SETUP_ROUTES: RouteObject[] = [
  { path: "sources", element: guarded("sources", <SourcesPage />) },
  { path: "sources/new", element: guarded("sources", <NewSourcePage />) },
  { path: "sources/:id", element: guarded("sources", <SourcePage />) },
  { path: "endpoints", element: guarded("endpoints", <EndpointsPage />) },
  { path: "endpoints/new", element: guarded("endpoints", <NewEndpointPage />) },
  { path: "endpoints/:id", element: guarded("endpoints", <EndpointPage />) },
  { path: "rules", element: guarded("rules", <RulesPage />) },
  { path: "rules/new", element: guarded("rules", <NewRulePage />) },
  { path: "rules/:id", element: guarded("rules", <EditRulePage />) },
  { path: "templates", element: guarded("templates", <TemplatesPage />) },
  { path: "callbacks", element: guarded("callbacks", <CallbacksPage />) },
  { path: "referrals", element: guarded("referrals", <ReferralsPage />) },
  { path: "programmes", element: guarded("programmes", <ProgrammesPage />) },
];
