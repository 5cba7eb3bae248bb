// A contact as staff see them, in pieces the author's card and the contact's page share:
// their identities with where each came from, their type, scores and consent.

import { useTranslation } from "react-i18next";
import { currentLanguage } from "../i18n";
import { DateTime, Field } from "../inbox/parts";
import { platformName } from "../lib/platforms";
import { emailsOf } from "./erase";
import type { ContactIdentity, ContactPerson } from "./queries";

/** How the page names a contact: their first email, else their id. */
export function contactName(person: Pick<ContactPerson, "id" | "identities">): string {
  return emailsOf(person)[0] ?? person.id;
}

/** `standard-webhooks@src_…` reads as its platform's name and the source. */
function provenancePlatform(platform: string): string {
  const [name = platform] = platform.split("@", 1);
  return platformName(name);
}

function Provenance({ identity }: { identity: ContactIdentity }) {
  const { t } = useTranslation("people");
  const from = identity.provenance;
  if (from === undefined) return null;
  const parts = [
    from.platform !== undefined ? t("identity.platform", { platform: provenancePlatform(from.platform) }) : null,
    from.source_id !== undefined ? t("identity.source", { source: from.source_id }) : null,
    from.event_id !== undefined ? t("identity.event", { event: from.event_id }) : null,
  ].filter((part): part is string => part !== null);
  return parts.length > 0 ? <>{parts.join(" · ")}</> : null;
}

/** Each identity: its kind, value, whether it is verified, and where it came from. */
export function IdentityList({ identities }: { identities: readonly ContactIdentity[] }) {
  const { t } = useTranslation("people");
  if (identities.length === 0) return <p className="list-state empty">{t("identity.none")}</p>;
  return (
    <ul className="pp-identities">
      {identities.map((identity, index) => (
        <li key={`${identity.kind ?? ""}:${identity.value ?? ""}:${index}`} className="pp-identity">
          <p className="pp-identity-value">
            <span className="pp-identity-kind">{identityKind(t, identity.kind)}</span> {identity.value ?? t("common.unknown")}{" "}
            <span className={identity.verified === true ? "pp-badge pp-ok" : "pp-badge"}>
              {identity.verified === true ? t("identity.verified") : t("identity.unverified")}
            </span>
          </p>
          <p className="pp-identity-meta">
            <Provenance identity={identity} />
            {identity.linked_at !== undefined ? (
              <>
                {" · "}
                {t("identity.linked")} <DateTime value={identity.linked_at} />
              </>
            ) : null}
          </p>
        </li>
      ))}
    </ul>
  );
}

type PeopleT = ReturnType<typeof useTranslation<"people">>["t"];

function identityKind(t: PeopleT, kind: string | undefined): string {
  switch (kind) {
    case "email":
      return t("identity.kind.email");
    case "account":
      return t("identity.kind.account");
    case "handle":
      return t("identity.kind.handle");
    default:
      return kind ?? t("common.unknown");
  }
}

/** Type, scores, consent: the profile's figures. */
export function ContactFacts({ person }: { person: ContactPerson }) {
  const { t, i18n } = useTranslation("people");
  const number = new Intl.NumberFormat(currentLanguage(i18n), { maximumFractionDigits: 1 });
  const profile = person.profile ?? {};
  const consent = profile.consent?.marketing;
  return (
    <dl className="item-fields pp-column">
      <Field label={t("contact.type")}>{profile.type !== undefined ? t(`contactType.${profile.type}`) : t("common.unknown")}</Field>
      <Field label={t("contact.score")}>{profile.contribution_score !== undefined ? number.format(profile.contribution_score) : "—"}</Field>
      <Field label={t("contact.reach")}>{profile.reach !== undefined ? number.format(profile.reach) : "—"}</Field>
      {profile.reach_basis !== undefined ? <Field label={t("contact.reachBasis")}>{profile.reach_basis}</Field> : null}
      {profile.reach_at !== undefined ? (
        <Field label={t("contact.reachAt")}>
          <DateTime value={profile.reach_at} />
        </Field>
      ) : null}
      <Field label={t("contact.influence")}>
        {profile.influence !== undefined ? t("contact.outOf100", { value: number.format(profile.influence) }) : "—"}
      </Field>
      {profile.praises !== undefined ? <Field label={t("contact.praises")}>{number.format(profile.praises)}</Field> : null}
      {profile.advocate_since !== undefined ? (
        <Field label={t("contact.advocateSince")}>
          <DateTime value={profile.advocate_since} />
        </Field>
      ) : null}
      <Field label={t("contact.consent")}>
        {consent === true ? t("contact.consentYes") : consent === false ? t("contact.consentNo") : t("contact.consentUnknown")}
      </Field>
      {profile.unsubscribed_at !== undefined ? (
        <Field label={t("contact.unsubscribed")}>
          <DateTime value={profile.unsubscribed_at} />
        </Field>
      ) : null}
    </dl>
  );
}
