// The button, arrow and list of options of a react-aria `Select`: the same in the inbox's
// filters, the relabel form and a close's "what it really was", so written once. The
// `Select` (its value, label and errors) stays with each form.

import { Button, ListBox, ListBoxItem, Popover, SelectValue } from "react-aria-components";

export interface SelectOption {
  id: string;
  name: string;
}

export function SelectOptions({ options }: { options: readonly SelectOption[] }) {
  return (
    <>
      <Button className="select-button">
        <SelectValue className="select-value" />
        <span aria-hidden="true" className="select-arrow">
          ▾
        </span>
      </Button>
      <Popover className="select-popover">
        <ListBox className="select-list" items={options}>
          {(option) => (
            <ListBoxItem id={option.id} textValue={option.name} className="select-option">
              {option.name}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </>
  );
}
