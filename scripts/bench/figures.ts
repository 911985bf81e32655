/**
 * How every bench suite reports: one figure per line, `<suite>.<label>: <value> <unit>`, with a
 * stable label (machine-readable: README tables and comparisons across runs grep for it).
 */
export interface Figure {
  /** Stable, lowercase, dot- or dash-separated: `pipeline.images-per-second`. */
  label: string;
  value: number | string;
  unit?: string;
  /** Context for a human reader (batch size, counts, the target); printed after the value. */
  note?: string;
}

export type Report = (figure: Figure) => void;

export function printer(suite: string): Report {
  return ({ label, value, unit, note }) => {
    const shown = typeof value === "number" ? (Number.isInteger(value) ? String(value) : value.toFixed(3)) : value;
    console.log(`${suite}.${label}: ${shown}${unit ? ` ${unit}` : ""}${note ? `  (${note})` : ""}`);
  };
}

/** `--name N` as a positive number, or the fallback. */
export function numberOption(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} ${argv[i + 1]}: expected a positive number`);
  return value;
}
