// /console/endpoints (admins): where Liaison tells the brand's systems and people what
// happens (docs/webhooks.md): the list, adding one (the fields of its kind, the events it
// takes; a webhook's secret shown once), and a connection's page: enable or disable, a
// test, a new secret, replay, delete, and its delivery log.

import { useState, type FormEvent } from "react";
import { Button, Form, Label, Radio, RadioGroup } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { Filter } from "../inbox/Filter";
import { ListStates } from "../inbox/ListStates";
import { useScreenTitle } from "../lib/title";
import {
  checkEndpoint,
  emptyEndpointForm,
  endpointBody,
  FIELDS,
  HANDLED,
  KINDS,
  typesShown,
  withKind,
  type EndpointField,
  type EndpointForm,
} from "./endpointForm";
import { focusError, formErrorFrom, type FormError } from "./fieldErrors";
import {
  useCreateEndpoint,
  useDeleteEndpoint,
  useDeliveries,
  useEndpoint,
  useEndpoints,
  useReplayEndpoint,
  useRotateEndpoint,
  useSetEndpointEnabled,
  useTestEndpoint,
  type Delivery,
  type DeliveryStatus,
  type Endpoint,
  type EndpointKind,
} from "./queries";
import { CheckList, ConfirmButton, CopyField, FormAlert, ListPageHeader, QueryStates, SecretOnce, SelectInput, TextInput, useDate, useErrorText, When } from "./ui";

/** How an endpoint is named in lists: its description, else where it goes. */
function endpointName(endpoint: Pick<Endpoint, "description" | "url">): string {
  return endpoint.description.trim() !== "" ? endpoint.description : endpoint.url.replace(/^mailto:/, "");
}

export function EndpointsPage() {
  const { t } = useTranslation("setup");
  const query = useEndpoints();
  return (
    <>
      <ListPageHeader area="endpoints" addTo="/endpoints/new" />
      <QueryStates query={query}>
        {({ endpoints }) =>
          endpoints.length === 0 ? (
            <p role="status" className="list-state empty">
              {t("endpoints.empty")}
            </p>
          ) : (
            <ul className="items">
              {endpoints.map((endpoint) => (
                <li key={endpoint.id} className="item">
                  <p className="item-title">
                    <Link to={`/endpoints/${endpoint.id}`}>{endpointName(endpoint)}</Link>{" "}
                    <span className={`badge ${endpoint.enabled ? "on" : "off"}`}>
                      {endpoint.enabled ? t("endpoints.list.enabled") : t("endpoints.list.disabled")}
                    </span>
                  </p>
                  <dl className="item-fields">
                    <div className="field">
                      <dt>{t("endpoints.fields.kind")}</dt>
                      <dd>{t(`endpoints.kinds.${endpoint.kind}`)}</dd>
                    </div>
                    <div className="field">
                      <dt>{t("endpoints.fields.url")}</dt>
                      <dd className="mono">{endpoint.url}</dd>
                    </div>
                    <div className="field">
                      <dt>{t("endpoints.fields.types")}</dt>
                      <dd>{t("endpoints.list.types", { count: endpoint.types.length })}</dd>
                    </div>
                  </dl>
                </li>
              ))}
            </ul>
          )
        }
      </QueryStates>
    </>
  );
}

const FORM = "endpoint";
const FORM_FIELDS: readonly string[] = ["kind", "url", "account", "token", "currency", "description", "types"];

/** The label of a field for a kind (Zendesk's account is the agent's email, HubSpot's the portal id). */
function useFieldLabel() {
  const { t } = useTranslation("setup");
  return (kind: EndpointKind, field: EndpointField): string => {
    if (field === "account" && (kind === "zendesk" || kind === "hubspot" || kind === "email")) return t(`endpoints.fields.accountLabel.${kind}`);
    if (field === "token" && (kind === "zendesk" || kind === "hubspot")) return t(`endpoints.fields.tokenLabel.${kind}`);
    return t(`endpoints.fields.${field}`);
  };
}

function EndpointFieldInput({
  field,
  form,
  setForm,
  error,
}: {
  field: Exclude<EndpointField, "types">;
  form: EndpointForm;
  setForm: (update: (form: EndpointForm) => EndpointForm) => void;
  error: FormError | null;
}) {
  const { t } = useTranslation("setup");
  const label = useFieldLabel();
  const kind = form.kind;
  const help =
    field === "url" && kind !== "email"
      ? t(`endpoints.fields.urlHelp.${kind}`)
      : field === "token"
        ? t("endpoints.fields.tokenHelp")
        : field === "currency"
          ? t("endpoints.fields.currencyHelp")
          : field === "description"
            ? t("endpoints.fields.descriptionHelp")
            : undefined;
  return (
    <TextInput
      form={FORM}
      name={field}
      label={label(kind, field)}
      help={help}
      value={form[field]}
      isRequired={field !== "description"}
      type={field === "url" ? "url" : field === "account" && kind !== "hubspot" ? "email" : "text"}
      inputMode={field === "url" ? "url" : field === "account" ? (kind === "hubspot" ? "numeric" : "email") : "text"}
      secret={field === "token" || (field === "url" && (kind === "slack" || kind === "teams"))}
      maxLength={field === "description" ? 200 : field === "currency" ? 3 : undefined}
      onChange={(value) => setForm((f) => ({ ...f, [field]: value }))}
      error={error}
    />
  );
}

/** /console/endpoints/new */
export function NewEndpointPage() {
  const { t } = useTranslation("setup");
  useScreenTitle(t("endpoints.add"));
  const create = useCreateEndpoint();
  const wording = useErrorText();
  const [form, setFormState] = useState<EndpointForm>(() => emptyEndpointForm());
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<{ id: string; kind: EndpointKind } | null>(null);

  const setForm = (update: (form: EndpointForm) => EndpointForm) => {
    setFormState(update);
    setError(null);
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (create.isPending) return;
    const problem = checkEndpoint(form);
    if (problem !== null) {
      const next = { field: problem.field, message: t(`endpoints.problem.${problem.reason}`) };
      setError(next);
      requestAnimationFrame(() => focusError(FORM, next));
      return;
    }
    create.mutate(endpointBody(form), {
      onSuccess: (endpoint) => {
        setDone({ id: endpoint.id, kind: endpoint.kind });
        setFormState(emptyEndpointForm(form.kind));
      },
      onError: (failure) => {
        const next = formErrorFrom(failure, FORM_FIELDS, wording);
        setError(next);
        requestAnimationFrame(() => focusError(FORM, next));
      },
    });
  };

  if (done !== null) {
    const secret = create.data?.secret;
    return (
      <>
        <h1>{t("endpoints.created.title")}</h1>
        {secret !== undefined ? (
          <SecretOnce
            values={[{ label: t("endpoints.created.secret"), value: secret, help: t("endpoints.created.secretHelp") }]}
            onDismiss={() => create.reset()}
          />
        ) : done.kind !== "webhook" ? (
          <p className="notice">{t("endpoints.created.noSecret")}</p>
        ) : null}
        <div className="button-row">
          <Link className="button-link" to={`/endpoints/${done.id}`}>
            {t("endpoints.created.open")}
          </Link>
          <Button
            className="button"
            onPress={() => {
              create.reset();
              setDone(null);
            }}
          >
            {t("endpoints.created.another")}
          </Button>
        </div>
      </>
    );
  }

  const fields = FIELDS[form.kind];
  return (
    <>
      <p>
        <Link to="/endpoints">{t("common.back")}</Link>
      </p>
      <h1>{t("endpoints.add")}</h1>
      <Form className="setup-form" validationBehavior="aria" onSubmit={onSubmit}>
        <RadioGroup
          className="choice-group"
          value={form.kind}
          onChange={(value) => {
            const kind = KINDS.find((k) => k === value);
            if (kind !== undefined) setForm((f) => withKind(f, kind));
          }}
        >
          <Label>{t("endpoints.fields.kind")}</Label>
          <div className="choices">
            {KINDS.map((kind) => (
              <Radio key={kind} value={kind} className="choice">
                <span>{t(`endpoints.kinds.${kind}`)}</span>
                <span className="choice-detail">{t(`endpoints.kindHelp.${kind}`)}</span>
              </Radio>
            ))}
          </div>
        </RadioGroup>
        {fields.map((field) =>
          field === "types" ? (
            <CheckList
              key={field}
              form={FORM}
              name="types"
              label={t("endpoints.fields.types")}
              help={form.kind === "webhook" ? t("endpoints.fields.typesHelpWebhook") : t("endpoints.fields.typesHelpConnector")}
              value={typesShown(form)}
              options={HANDLED[form.kind].map((type) => ({ id: type, label: t(`events.${type}`), detail: type }))}
              onChange={(types) => setForm((f) => ({ ...f, types }))}
              error={error}
              isRequired
            />
          ) : (
            <EndpointFieldInput key={`${form.kind}-${field}`} field={field} form={form} setForm={setForm} error={error} />
          ),
        )}
        <FormAlert form={FORM} error={error} />
        <div className="button-row">
          <Button type="submit" className="button primary" isDisabled={create.isPending}>
            {create.isPending ? t("endpoints.registering") : t("endpoints.register")}
          </Button>
        </div>
      </Form>
    </>
  );
}

type LogFilter = DeliveryStatus | "all";

function DeliveryItem({ delivery }: { delivery: Delivery }) {
  const { t } = useTranslation("setup");
  const attempt = delivery.last_attempt;
  const status = delivery.status;
  return (
    <li className="item">
      <p className="item-title">
        {delivery.type !== undefined ? (
          <>
            {t(`events.${delivery.type}`)} <span className="mono check-detail">{delivery.type}</span>
          </>
        ) : null}{" "}
        {status !== undefined ? <span className={`badge ${status}`}>{t(`endpoints.statuses.${status}`)}</span> : null}
      </p>
      <dl className="item-fields">
        <div className="field">
          <dt>{t("endpoints.log.attempts")}</dt>
          <dd>{delivery.attempts ?? 0}</dd>
        </div>
        {attempt?.at !== undefined ? (
          <div className="field">
            <dt>{t("endpoints.log.lastAttempt")}</dt>
            <dd>
              <When value={attempt.at} />
            </dd>
          </div>
        ) : null}
        {attempt !== undefined ? (
          <div className="field">
            <dt>{t("endpoints.log.answer")}</dt>
            <dd>
              {attempt.status !== undefined ? t("endpoints.log.httpStatus", { status: attempt.status }) : t("endpoints.log.noAnswer")}
              {attempt.error !== undefined ? ` (${attempt.error})` : null}
            </dd>
          </div>
        ) : null}
        {attempt?.latency_ms !== undefined ? (
          <div className="field">
            <dt>{t("endpoints.log.latency")}</dt>
            <dd>{t("endpoints.log.latencyMs", { ms: attempt.latency_ms })}</dd>
          </div>
        ) : null}
        {delivery.next_attempt_at !== undefined && status === "pending" ? (
          <div className="field">
            <dt>{t("endpoints.log.next")}</dt>
            <dd>
              <When value={delivery.next_attempt_at} />
            </dd>
          </div>
        ) : null}
        {delivery.replayed_at !== undefined ? (
          <div className="field">
            <dt>{t("endpoints.log.replayed")}</dt>
            <dd>
              <When value={delivery.replayed_at} />
            </dd>
          </div>
        ) : null}
      </dl>
      {attempt?.response !== undefined && attempt.response !== "" ? (
        <p className="log-response">
          <span className="visually-hidden">{t("endpoints.log.response")}: </span>
          {attempt.response}
        </p>
      ) : null}
    </li>
  );
}

function DeliveryLog({ id }: { id: string }) {
  const { t } = useTranslation("setup");
  const [filter, setFilter] = useState<LogFilter>("all");
  const query = useDeliveries(id, filter === "all" ? null : filter);
  const statuses: DeliveryStatus[] = ["pending", "delivered", "refused", "dead"];
  return (
    <section className="section" aria-labelledby="endpoint-log">
      <h2 id="endpoint-log">{t("endpoints.log.title")}</h2>
      <p className="hint">{t("endpoints.log.intro")}</p>
      <Filter
        label={t("endpoints.log.status")}
        value={filter}
        onChange={setFilter}
        options={[{ id: "all", label: t("endpoints.log.all") }, ...statuses.map((s) => ({ id: s, label: t(`endpoints.statuses.${s}`) }))]}
      />
      <ListStates query={query} empty={t("endpoints.log.empty")}>
        {(deliveries) => (
          <ul className="items">
            {deliveries.map((delivery, index) => (
              <DeliveryItem key={`${delivery.event_id ?? ""}-${index}`} delivery={delivery} />
            ))}
          </ul>
        )}
      </ListStates>
    </section>
  );
}

function EndpointActions({ endpoint }: { endpoint: Endpoint }) {
  const { t } = useTranslation("setup");
  const wording = useErrorText();
  const navigate = useNavigate();
  const enable = useSetEndpointEnabled(endpoint.id);
  const test = useTestEndpoint(endpoint.id);
  const rotate = useRotateEndpoint(endpoint.id);
  const replay = useReplayEndpoint(endpoint.id);
  const remove = useDeleteEndpoint(endpoint.id);
  const [replayStatus, setReplayStatus] = useState<"dead" | "refused">("dead");
  const [said, setSaid] = useState<string | null>(null);
  const failure = [enable, test, rotate, replay, remove].find((m) => m.isError)?.error;
  const secret = rotate.data?.secret ?? null;

  return (
    <section className="section" aria-labelledby="endpoint-actions">
      <h2 id="endpoint-actions">{t("endpoints.detail.actions")}</h2>
      <div className="button-row">
        <Button
          className="button"
          isDisabled={enable.isPending}
          onPress={() => {
            setSaid(null);
            enable.mutate(!endpoint.enabled, {
              onSuccess: (next) => setSaid(next.enabled ? t("endpoints.enabled") : t("endpoints.disabled")),
            });
          }}
        >
          {enable.isPending ? t("endpoints.enabling") : endpoint.enabled ? t("endpoints.disable") : t("endpoints.enable")}
        </Button>
        <Button
          className="button"
          isDisabled={test.isPending}
          onPress={() => {
            setSaid(null);
            test.mutate(undefined, { onSuccess: () => setSaid(t("endpoints.tested")) });
          }}
        >
          {test.isPending ? t("endpoints.testing") : t("endpoints.test")}
        </Button>
        {endpoint.kind === "webhook" ? (
          <Button
            className="button"
            isDisabled={rotate.isPending}
            onPress={() => {
              setSaid(null);
              rotate.mutate(undefined, { onSuccess: () => setSaid(t("endpoints.rotated")) });
            }}
          >
            {rotate.isPending ? t("endpoints.rotating") : t("endpoints.rotate")}
          </Button>
        ) : null}
      </div>
      <p role="status" className="announcement">
        {said}
      </p>
      {failure !== undefined && failure !== null ? (
        <p role="alert" className="error">
          {t("common.failed", { message: wording(failure) })}
        </p>
      ) : null}
      {secret !== null ? (
        <SecretOnce
          values={[{ label: t("endpoints.created.secret"), value: secret, help: t("endpoints.created.secretHelp") }]}
          onDismiss={() => rotate.reset()}
        />
      ) : null}
      <h3>{t("endpoints.replay.title")}</h3>
      <div className="inline-form">
        <SelectInput
          form="replay"
          name="status"
          label={t("endpoints.replay.which")}
          value={replayStatus}
          options={[
            { id: "dead", label: t("endpoints.replay.dead") },
            { id: "refused", label: t("endpoints.replay.refused") },
          ]}
          onChange={(value) => setReplayStatus(value === "" ? "dead" : value)}
          error={null}
        />
        <Button
          className="button"
          isDisabled={replay.isPending}
          onPress={() => {
            setSaid(null);
            replay.mutate(replayStatus, { onSuccess: (count) => setSaid(t("endpoints.replay.done", { count })) });
          }}
        >
          {replay.isPending ? t("endpoints.replay.replaying") : t("endpoints.replay.button")}
        </Button>
      </div>
      <h3>{t("endpoints.delete.button")}</h3>
      <ConfirmButton
        label={t("endpoints.delete.button")}
        question={t("endpoints.delete.confirm")}
        isPending={remove.isPending}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => void navigate("/endpoints", { replace: true }) })}
      />
    </section>
  );
}

function EndpointDetail({ endpoint }: { endpoint: Endpoint }) {
  const { t } = useTranslation("setup");
  const date = useDate();
  return (
    <>
      <p>
        <Link to="/endpoints">{t("common.back")}</Link>
      </p>
      <h1>{endpointName(endpoint)}</h1>
      <dl className="summary-list">
        <dt>{t("endpoints.fields.kind")}</dt>
        <dd>{t(`endpoints.kinds.${endpoint.kind}`)}</dd>
        <dt>{t("endpoints.detail.state")}</dt>
        <dd>
          {endpoint.enabled ? (
            <span className="badge on">{t("endpoints.list.enabled")}</span>
          ) : endpoint.disabled_at !== null && endpoint.disabled_reason !== null ? (
            <span className="badge off">
              {t("endpoints.detail.disabledBecause", { date: date(endpoint.disabled_at), reason: endpoint.disabled_reason })}
            </span>
          ) : (
            <span className="badge off">{t("endpoints.detail.disabledNoReason")}</span>
          )}
        </dd>
        {endpoint.account !== null ? (
          <>
            <dt>{t("endpoints.detail.account")}</dt>
            <dd className="mono">{endpoint.account}</dd>
          </>
        ) : null}
        {endpoint.currency !== null ? (
          <>
            <dt>{t("endpoints.detail.currency")}</dt>
            <dd>{endpoint.currency}</dd>
          </>
        ) : null}
        {endpoint.kind !== "webhook" && endpoint.kind !== "email" ? (
          <>
            <dt>{t("endpoints.detail.token")}</dt>
            <dd>{endpoint.token_set ? t("endpoints.detail.tokenSet") : t("endpoints.detail.tokenUnset")}</dd>
          </>
        ) : null}
        <dt>{t("sources.fields.created")}</dt>
        <dd>
          <When value={endpoint.created_at} />
        </dd>
        <dt>{t("endpoints.detail.types")}</dt>
        <dd>
          <ul className="plain-list">
            {endpoint.types.map((type) => (
              <li key={type}>
                {t(`events.${type}`)} <span className="mono check-detail">{type}</span>
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      {endpoint.kind === "email" ? null : <CopyField label={t("endpoints.fields.url")} value={endpoint.url} />}
      {endpoint.secrets.length > 0 ? (
        <section className="section" aria-labelledby="endpoint-secrets">
          <h2 id="endpoint-secrets">{t("endpoints.detail.secrets")}</h2>
          <ul className="plain-list">
            {endpoint.secrets.map((secret) => (
              <li key={secret.created_at}>
                {secret.expires_at === null
                  ? t("endpoints.detail.secretCurrent", { created: date(secret.created_at) })
                  : t("endpoints.detail.secretUntil", { created: date(secret.created_at), until: date(secret.expires_at) })}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <EndpointActions endpoint={endpoint} />
      <DeliveryLog id={endpoint.id} />
    </>
  );
}

/** /console/endpoints/:id */
export function EndpointPage() {
  const { t } = useTranslation("setup");
  const { id = "" } = useParams();
  const query = useEndpoint(id);
  useScreenTitle(query.data !== undefined ? endpointName(query.data) : t("endpoints.title"));
  return (
    <QueryStates query={query} notFound={t("endpoints.notFound")}>
      {(endpoint) => <EndpointDetail endpoint={endpoint} />}
    </QueryStates>
  );
}
