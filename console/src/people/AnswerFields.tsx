// What an answer is made of, in a form: where it goes (public reply, private message, email),
// its text, and its tags (visible ones go out where the platform has tags; hidden ones stay).

import { Input, Label, Radio, RadioGroup, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { CHANNELS } from "./forms";
import { TextBox } from "./parts";
import type { AnswerChannel } from "./queries";

export interface AnswerDraft {
  channel: AnswerChannel;
  text: string;
  visibleTags: string;
  hiddenTags: string;
}

export const emptyAnswer: AnswerDraft = { channel: "public_reply", text: "", visibleTags: "", hiddenTags: "" };

function isChannel(value: unknown): value is AnswerChannel {
  return typeof value === "string" && (CHANNELS as readonly string[]).includes(value);
}

export function AnswerFields({ draft, onChange }: { draft: AnswerDraft; onChange: (draft: AnswerDraft) => void }) {
  const { t } = useTranslation("people");
  return (
    <div className="pp-stack">
      <RadioGroup
        className="pp-choice"
        orientation="horizontal"
        value={draft.channel}
        onChange={(value) => {
          if (isChannel(value)) onChange({ ...draft, channel: value });
        }}
      >
        <Label className="pp-choice-label">{t("reply.channel")}</Label>
        <div className="pp-choice-options">
          {CHANNELS.map((channel) => (
            <Radio key={channel} value={channel} className="filter-option">
              {t(`channel.${channel}`)}
            </Radio>
          ))}
        </div>
      </RadioGroup>
      <TextBox label={t("reply.text")} value={draft.text} onChange={(text) => onChange({ ...draft, text })} rows={4} />
      <div className="pp-form-row">
        <TextField className="pp-form-field" value={draft.visibleTags} onChange={(visibleTags) => onChange({ ...draft, visibleTags })}>
          <Label>{t("reply.visibleTags")}</Label>
          <Input />
        </TextField>
        <TextField className="pp-form-field" value={draft.hiddenTags} onChange={(hiddenTags) => onChange({ ...draft, hiddenTags })}>
          <Label>{t("reply.hiddenTags")}</Label>
          <Input />
        </TextField>
      </div>
      <p className="pp-field-hint">{t("reply.tagsHint")}</p>
    </div>
  );
}
