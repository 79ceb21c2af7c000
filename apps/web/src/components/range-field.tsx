// A whole-number field with its allowed range in the label (decode settings); the form checks the value on submit.
import type { Range } from '@/lib/decode-limits';

export function RangeField(props: {
  label: string;
  range: Range;
  unit?: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const { label, range, unit, value, onChange } = props;
  return (
    <label className="filter">
      <span>
        {label} ({range.min}–{range.max}
        {unit ? ` ${unit}` : ''})
      </span>
      <input
        type="number"
        inputMode="numeric"
        min={range.min}
        max={range.max}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
