// One labelled <select> of the gallery's filter row: a name (the URL parameter), its value and its choices.
interface Props<V extends string> {
  label: string;
  name: string;
  value: V;
  /** [value, label] pairs, in order. */
  options: readonly (readonly [V, string])[];
  onChange: (value: V) => void;
  narrow?: boolean;
}

export function FilterSelect<V extends string>({ label, name, value, options, onChange, narrow }: Props<V>) {
  return (
    <label className={narrow ? 'filter filter-narrow' : 'filter'}>
      <span>{label}</span>
      <select name={name} value={value} onChange={(e) => onChange(e.target.value as V)}>
        {options.map(([optionValue, optionLabel]) => (
          <option key={optionValue} value={optionValue}>
            {optionLabel}
          </option>
        ))}
      </select>
    </label>
  );
}
