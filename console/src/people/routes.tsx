// The routes of this area (a conversation (case, question, opportunity in context), contacts,
// reports), under the shell; each one guarded by its screen (`guarded` from app/guard.tsx).
// A conversation is the inbox's (and further limited to those who may read its list).

import type { RouteObject } from "react-router";
import { lazy } from "react";
import { guarded } from "../app/guard";

// Each page is loaded when first opened (its own chunk: the charts library with it), so
// the first screen loads only the shell and the inbox.
const ContactPage = lazy(() => import("./ContactPage").then((m) => ({ default: m.ContactPage })));
const ContactsPage = lazy(() => import("./ContactsPage").then((m) => ({ default: m.ContactsPage })));
const ConversationPage = lazy(() => import("./ConversationPage").then((m) => ({ default: m.ConversationPage })));
const ReportsPage = lazy(() => import("./ReportsPage").then((m) => ({ default: m.ReportsPage })));

export const PEOPLE_ROUTES: RouteObject[] = [
  { path: "cases/:id", element: guarded("inbox", <ConversationPage kind="case" />) },
  { path: "questions/:id", element: guarded("inbox", <ConversationPage kind="question" />) },
  { path: "opportunities/:id", element: guarded("inbox", <ConversationPage kind="opportunity" />) },
  { path: "contacts", element: guarded("contacts", <ContactsPage />) },
  { path: "contacts/:id", element: guarded("contacts", <ContactPage />) },
  { path: "reports", element: guarded("reports", <ReportsPage />) },
];
