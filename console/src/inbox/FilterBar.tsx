// The inbox's filter bar, above the tabs and shared by them: source, platform, label, tag
// and assignee, and "Clear filters". A choice applies at once; a typed value applies on
// Enter or when the field is left (Escape puts back the value in force).

import { useId, useState, type KeyboardEvent, type Ref } from "react";
import {
  Button,
  Input,
  Label,
  Select,
  Text,
  TextField,
  ToggleButton,
  type Key,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { SelectOptions } from "./SelectOptions";
import type { InboxTab } from "../access";
import { useConsole } from "../app/context";
import { errorMessage } from "../lib/errors";
import { PLATFORMS, platformName } from "../lib/platforms";
import {
  LABELS,
  MAX_FILTER_LENGTH,
  UNASSIGNED,
  type FilterChanges,
  type InboxFilters,
} from "./filters";
import { useSourceChoices } from "./queries";

/** The "any" choice of a select (never a value the API knows). */
const ANY = "*";

interface Choice {
  id: string;
  name: string;
}

function FilterSelect({
  label,
  anyLabel,
  value,
  choices,
  onChange,
}: {
  label: string;
  anyLabel: string;
  value: string | undefined;
  choices: readonly Choice[];
  onChange: (value: string | undefined) => void;
}) {
  const items: Choice[] = [{ id: ANY, name: anyLabel }, ...choices];
  // A value the list does not know (a shared link, a source since deleted) stays shown.
  if (value !== undefined && !choices.some((choice) => choice.id === value)) items.push({ id: value, name: value });
  return (
    <Select
      className={`filter-field${value !== undefined ? " is-set" : ""}`}
      value={value ?? ANY}
      onChange={(key: Key | null) => onChange(key === null || key === ANY ? undefined : String(key))}
    >
      <Label className="filter-field-label">{label}</Label>
      <SelectOptions options={items} />
    </Select>
  );
}

/** A typed filter: applied on Enter or blur, not at each key (no list per letter). */
function FilterText({
  label,
  value,
  description,
  describedBy,
  isDisabled = false,
  onCommit,
}: {
  label: string;
  value: string | undefined;
  description?: string;
  /** A hint shown elsewhere (its id). */
  describedBy?: string;
  isDisabled?: boolean;
  onCommit: (value: string | undefined) => void;
}) {
  const [draft, setDraft] = useState(value ?? "");
  // The value in force may change elsewhere (Clear, the back button): the field follows.
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setDraft(value ?? "");
  }
  const commit = () => {
    const next = draft.trim();
    if (next !== (value ?? "")) onCommit(next === "" ? undefined : next);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter") commit();
    else if (event.key === "Escape") setDraft(value ?? "");
  };
  return (
    <TextField
      className={`filter-field${value !== undefined ? " is-set" : ""}`}
      value={draft}
      onChange={setDraft}
      onBlur={commit}
      onKeyDown={onKeyDown}
      maxLength={MAX_FILTER_LENGTH}
      isDisabled={isDisabled}
      aria-describedby={describedBy}
    >
      <Label className="filter-field-label">{label}</Label>
      <Input className="filter-input" autoComplete="off" spellCheck={false} />
      {description !== undefined ? (
        <Text slot="description" className="filter-hint">
          {description}
        </Text>
      ) : null}
    </TextField>
  );
}

/**
 * The source: a select of the sources for admins (GET /admin/sources is theirs alone);
 * a text field for a source's id for the other groups, and for admins when the list could
 * not be read (a 403 included).
 */
function SourceFilter({ value, onChange }: { value: string | undefined; onChange: (value: string | undefined) => void }) {
  const { t } = useTranslation();
  const { session } = useConsole();
  const mayList = session.groups.includes("liaison-admin");
  const sources = useSourceChoices(mayList);
  if (mayList && !sources.isError) {
    const choices = (sources.data ?? []).map((source) => ({
      id: source.id,
      name: `${source.name} (${platformName(source.platform)})`,
    }));
    return (
      <FilterSelect
        label={t("inbox.filters.source")}
        anyLabel={t("inbox.filters.anySource")}
        value={value}
        choices={choices}
        onChange={onChange}
      />
    );
  }
  return (
    <FilterText
      label={t("inbox.filters.source")}
      value={value}
      description={
        mayList
          ? t("inbox.filters.sourceUnlisted", { message: errorMessage(t, sources.error) })
          : t("inbox.filters.sourceId")
      }
      onCommit={onChange}
    />
  );
}

export function FilterBar({
  tab,
  filters,
  onChange,
  onClear,
  clearRef,
}: {
  tab: InboxTab | undefined;
  filters: InboxFilters;
  onChange: (changes: FilterChanges) => void;
  onClear: () => void;
  /** "Clear filters", where focus goes after a list's own "Clear filters". */
  clearRef?: Ref<HTMLButtonElement>;
}) {
  const { t } = useTranslation();
  const { session } = useConsole();
  const headingId = useId();
  const hintId = useId();
  const assigneeHintId = useId();
  const me = session.email;
  // GET /admin/moderation refuses ?assignee=: the filter stays (for the other tabs) but
  // does not apply here, and says so.
  const noAssignee = tab === "moderation";
  const assignee = filters.assignee;
  return (
    <section className="filter-bar" aria-labelledby={headingId} aria-describedby={hintId}>
      <h2 id={headingId} className="visually-hidden">
        {t("inbox.filters.title")}
      </h2>
      <p id={hintId} className="visually-hidden">
        {t("inbox.filters.hint")}
      </p>
      <SourceFilter value={filters.source} onChange={(source) => onChange({ source })} />
      <FilterSelect
        label={t("inbox.filters.platform")}
        anyLabel={t("inbox.filters.anyPlatform")}
        value={filters.platform}
        choices={PLATFORMS.map((platform) => ({ id: platform, name: platformName(platform) }))}
        onChange={(platform) => onChange({ platform })}
      />
      <FilterSelect
        label={t("inbox.filters.label")}
        anyLabel={t("inbox.filters.anyLabel")}
        value={filters.label}
        choices={LABELS.map((label) => ({ id: label, name: t(`label.${label}`) }))}
        onChange={(label) => onChange({ label })}
      />
      <FilterText label={t("inbox.filters.tag")} value={filters.tag} onCommit={(tag) => onChange({ tag })} />
      <div className="filter-assignee">
        <FilterText
          label={t("inbox.filters.assignee")}
          value={assignee === UNASSIGNED ? undefined : assignee}
          isDisabled={noAssignee}
          describedBy={noAssignee ? assigneeHintId : undefined}
          onCommit={(value) => onChange({ assignee: value })}
        />
        <div className="filter-shortcuts">
          <ToggleButton
            className="toggle filter-toggle"
            isDisabled={noAssignee}
            isSelected={assignee === UNASSIGNED}
            onChange={(on) => onChange({ assignee: on ? UNASSIGNED : undefined })}
            aria-describedby={noAssignee ? assigneeHintId : undefined}
          >
            {t("inbox.filters.unassigned")}
          </ToggleButton>
          {me !== null ? (
            <ToggleButton
              className="toggle filter-toggle"
              isDisabled={noAssignee}
              isSelected={assignee === me}
              onChange={(on) => onChange({ assignee: on ? me : undefined })}
              aria-describedby={noAssignee ? assigneeHintId : undefined}
            >
              {t("inbox.filters.mine")}
            </ToggleButton>
          ) : null}
        </div>
        {noAssignee ? (
          <p id={assigneeHintId} className="filter-hint filter-assignee-hint">
            {t("inbox.filters.noAssigneeHere")}
          </p>
        ) : null}
      </div>
      {/* Never disabled: a focused button that turns disabled would drop the focus. */}
      <Button ref={clearRef} className="button filter-clear" onPress={onClear}>
        {t("inbox.filters.clear")}
      </Button>
    </section>
  );
}
