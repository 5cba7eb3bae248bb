// The content a new step starts with, in the console's language: MiniJinja templates that
// pass the API's check (docs/relaunch.md, "Template variables"), for the marketer to adapt.
// Content, not the console's own words, so not in the i18n files (whose `{{ }}` i18next
// would read as its own placeholders).

import type { Language } from "../i18n";
import type { ContentForm } from "./form";

const LINES_HTML =
  "{% for line in cart.lines %}<p>{{ line.title }} × {{ line.quantity }}: {{ line.line_total }} {{ cart.currency }}</p>{% endfor %}";
const LINES_TEXT = "{% for line in cart.lines %}- {{ line.title }} × {{ line.quantity }}: {{ line.line_total }} {{ cart.currency }}\n{% endfor %}";

const CONTENT: Record<Language, readonly ContentForm[]> = {
  en: [
    {
      subject: "{{ contact.first_name or 'Hello' }}, your cart is waiting for you",
      html: `<p>Hello {{ contact.first_name or '' }},</p>\n${LINES_HTML}\n<p><a href="{{ cart.recovery_url }}">Back to my cart</a></p>\n<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>`,
      text: `Hello {{ contact.first_name or '' }},\n${LINES_TEXT}Back to my cart: {{ cart.recovery_url }}\nUnsubscribe: {{ unsubscribe_url }}`,
    },
    {
      subject: "Still thinking about {{ cart.lines[0].title }}?",
      html: `<p>Your cart ({{ cart.total }} {{ cart.currency }}) is still here.</p>\n<p><a href="{{ cart.recovery_url }}">See my cart</a></p>\n<p><a href="{{ callback_url }}">Have an adviser call me</a></p>\n<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>`,
      text: "Your cart ({{ cart.total }} {{ cart.currency }}) is still here: {{ cart.recovery_url }}\nUnsubscribe: {{ unsubscribe_url }}",
    },
  ],
  fr: [
    {
      subject: "{{ contact.first_name or 'Bonjour' }}, votre panier vous attend",
      html: `<p>Bonjour {{ contact.first_name or '' }},</p>\n${LINES_HTML}\n<p><a href="{{ cart.recovery_url }}">Reprendre mon panier</a></p>\n<p><a href="{{ unsubscribe_url }}">Se désabonner</a></p>`,
      text: `Bonjour {{ contact.first_name or '' }},\n${LINES_TEXT}Reprendre mon panier : {{ cart.recovery_url }}\nSe désabonner : {{ unsubscribe_url }}`,
    },
    {
      subject: "Toujours tenté par {{ cart.lines[0].title }} ?",
      html: `<p>Votre panier ({{ cart.total }} {{ cart.currency }}) est toujours là.</p>\n<p><a href="{{ cart.recovery_url }}">Voir mon panier</a></p>\n<p><a href="{{ callback_url }}">Être rappelé par un conseiller</a></p>\n<p><a href="{{ unsubscribe_url }}">Se désabonner</a></p>`,
      text: "Votre panier ({{ cart.total }} {{ cart.currency }}) est toujours là : {{ cart.recovery_url }}\nSe désabonner : {{ unsubscribe_url }}",
    },
  ],
};

/** The first step's content for the first step, the reminder's for the others. */
export function defaultContent(language: Language, index: number): ContentForm {
  const choices = CONTENT[language];
  const content = choices[Math.min(index, choices.length - 1)] ?? choices[0];
  return { subject: content?.subject ?? "", html: content?.html ?? "", text: content?.text ?? "" };
}
