/**
 * How the simulator shows a value with its unit, the same in the terminal, the report and the JSON it prints: values
 * travel in catalogue units (compiler/dsl/catalogue.ts); speeds are shown in km/h, as people read them on a road.
 */

/** The unit a value of catalogue unit `unit` is shown in, and the factor to it; '' for units shown bare. */
export function displayUnit(unit: string | null | undefined): { unit: string; k: number } {
  switch (unit) {
    case 'm/s': return { unit: 'km/h', k: 3.6 };
    case 'deg': return { unit: '°', k: 1 };
    case 'degC': return { unit: '°C', k: 1 };
    case 'm': case 'ms': case 'g': case 'V': case 'dBm': case 'lux': return { unit, k: 1 };
    default: return { unit: '', k: 1 }; // bool, id, count, level, ratio, or unknown: a bare number
  }
}

/** `12.6 km/h`, `-36.848461°`, `3.9 V`, `5`: nine significant digits at most, the unit after it. */
export function valueText(v: number, unit: string | null | undefined): string {
  const d = displayUnit(unit);
  const n = String(+(v * d.k).toPrecision(9));
  return d.unit === '' ? n : d.unit.startsWith('°') && d.unit !== '°C' ? n + d.unit : `${n} ${d.unit}`;
}
