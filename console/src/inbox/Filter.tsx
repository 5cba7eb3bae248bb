import { Label, Radio, RadioGroup } from "react-aria-components";

/** A row of choices (React Aria's RadioGroup): arrow keys move, the choice applies at once. */
export function Filter<K extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: K;
  options: readonly { id: K; label: string }[];
  onChange: (value: K) => void;
}) {
  return (
    <RadioGroup
      className="filter"
      orientation="horizontal"
      value={value}
      onChange={(next) => {
        const option = options.find((o) => o.id === next);
        if (option !== undefined) onChange(option.id);
      }}
    >
      <Label className="filter-label">{label}</Label>
      <div className="filter-options">
        {options.map((option) => (
          <Radio key={option.id} value={option.id} className="filter-option">
            {option.label}
          </Radio>
        ))}
      </div>
    </RadioGroup>
  );
}
