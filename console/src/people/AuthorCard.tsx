// The author of a conversation's contribution (GET /admin/contacts/{id}): identities, type,
// scores, consent and what else they wrote. For the groups that may read contacts only;
// the others see the type the item carries.

import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { screensFor } from "../access";
import { useConsole } from "../app/context";
import { useProgrammesTranslation } from "../i18n/programmes";
import { DateTime } from "../inbox/parts";
import { platformName } from "../lib/platforms";
import { firstLine, shorten } from "../lib/text";
import { ContactFacts, contactName, IdentityList } from "./ContactParts";
import { QueryStates } from "./parts";
import { useContact, type AuthorAudience, type ContactType } from "./queries";
import { pastContributions } from "./timeline";

/** How many of their other contributions the card lists. */
const PAST = 5;

/** A blogger's, an association's or a journalist's audience as the item recorded it. */
function Audience({ audience }: { audience: AuthorAudience }) {
  const { t } = useProgrammesTranslation();
  return (
    <p className="pp-audience">
      {audience.basis !== undefined
        ? t("audience.measured", { reach: Math.round(audience.reach), basis: audience.basis })
        : t("audience.unmeasured")}
    </p>
  );
}

export function AuthorCard({
  contactId,
  eventId,
  contactType,
  audience,
}: {
  contactId: string;
  eventId: string;
  contactType: ContactType | undefined;
  audience?: AuthorAudience | undefined;
}) {
  const { t } = useTranslation("people");
  const { session } = useConsole();
  const mayReadContacts = screensFor(session.groups).some((screen) => screen.id === "contacts");
  return (
    <section className="pp-panel pp-author" aria-labelledby="author-heading">
      <h2 id="author-heading">{t("author.heading")}</h2>
      {audience !== undefined ? <Audience audience={audience} /> : null}
      {mayReadContacts ? (
        <AuthorDetails contactId={contactId} eventId={eventId} />
      ) : (
        <p>{contactType !== undefined ? t(`contactType.${contactType}`) : t("author.hidden")}</p>
      )}
    </section>
  );
}

function AuthorDetails({ contactId, eventId }: { contactId: string; eventId: string }) {
  const { t } = useTranslation("people");
  const query = useContact(contactId);
  return (
    <QueryStates query={{ ...query, data: query.data?.pages[0] }}>
      {(person) => {
        const past = pastContributions(person.timeline, eventId).slice(0, PAST);
        return (
          <>
            <p className="pp-author-name">{contactName(person)}</p>
            <ContactFacts person={person} />
            <h3>{t("author.identities")}</h3>
            <IdentityList identities={person.identities} />
            <h3>{t("author.past")}</h3>
            {past.length === 0 ? (
              <p className="list-state empty">{t("author.noPast")}</p>
            ) : (
              <ul className="pp-past">
                {past.map((item) => (
                  <li key={item.id}>
                    <span className="pp-past-text">{shorten(firstLine(item.text), 100)}</span>{" "}
                    <span className="pp-note-meta">
                      {item.platform !== undefined ? `${platformName(item.platform)} · ` : null}
                      {item.at !== null ? <DateTime value={item.at} /> : null}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            <p>
              <Link to={`/contacts/${encodeURIComponent(contactId)}`}>{t("author.open")}</Link>
            </p>
          </>
        );
      }}
    </QueryStates>
  );
}
