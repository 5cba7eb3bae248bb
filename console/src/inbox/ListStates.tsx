// What every inbox list shares: loading, error, empty, "show more", in words.

import type { UseInfiniteQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../lib/errors";

export function ListStates<T>({
  query,
  empty,
  emptyAction,
  emptySoFar,
  children,
}: {
  query: UseInfiniteQueryResult<T[]>;
  empty: string;
  /** Shown under the empty message (the inbox's "Clear filters"). */
  emptyAction?: ReactNode;
  /** Said instead of `empty` when nothing was found yet but the API gave a cursor: a
   * filtered page may come back short, even empty, with more to read ("Show more"). */
  emptySoFar?: string;
  children: (items: T[]) => ReactNode;
}) {
  const { t } = useTranslation();
  if (query.isPending) {
    return (
      <p role="status" className="list-state">
        {t("inbox.loading")}
      </p>
    );
  }
  if (query.isError && query.data === undefined) {
    return (
      <div role="alert" className="list-state error">
        <p>{t("inbox.loadError", { message: errorMessage(t, query.error) })}</p>
        <Button className="button" onPress={() => void query.refetch()}>
          {t("errors.retry")}
        </Button>
      </div>
    );
  }
  const items = query.data ?? [];
  const emptyMessage = query.hasNextPage && emptySoFar !== undefined ? emptySoFar : empty;
  return (
    <>
      {query.isRefetchError ? (
        <p role="alert" className="list-state warning">
          {t("inbox.refreshError", { message: errorMessage(t, query.error) })}
        </p>
      ) : null}
      {items.length === 0 ? (
        emptyAction === undefined ? (
          <p role="status" className="list-state empty">
            {emptyMessage}
          </p>
        ) : (
          <div className="list-state empty with-action">
            <p role="status">{emptyMessage}</p>
            {emptyAction}
          </div>
        )
      ) : (
        <>
          <p className="visually-hidden" role="status">
            {t("inbox.count", { count: items.length })}
          </p>
          {children(items)}
        </>
      )}
      {query.hasNextPage ? (
        <Button
          className="button more"
          isDisabled={query.isFetchingNextPage}
          onPress={() => void query.fetchNextPage()}
        >
          {query.isFetchingNextPage ? t("inbox.loadingMore") : t("inbox.loadMore")}
        </Button>
      ) : null}
      {query.isFetchNextPageError ? (
        <p role="alert" className="list-state error">
          {t("inbox.loadError", { message: errorMessage(t, query.error) })}
        </p>
      ) : null}
    </>
  );
}
