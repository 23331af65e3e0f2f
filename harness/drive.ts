/**
 * The recorded drive the device-link tests replay through a virtual device's sensors: the example Auckland drive
 * (examples/quat-orient) with the door-theft scenario applied, and the same drive shifted later in time (a
 * device's sensors never go back).
 */
import { readInputs } from '../simulator/inputs.ts';
import { loadScenario, applyScenario } from '../simulator/scenario.ts';
import { SampleBuffer, type SampleColumns } from '../simulator/trace/samples.ts';

export const HOUR = 3_600_000;

export async function exampleDrive(): Promise<SampleColumns> {
  const inputs = readInputs(['examples/quat-orient/gps.2020-10-15-21.csv', 'examples/quat-orient/accel.2020-10-15-21.csv'], { startMs: Date.parse('2020-10-15T21:00:00+13:00') });
  return applyScenario(inputs.samples, await loadScenario('examples/scenarios/door-theft.json'), 'door-theft').samples;
}

/** The drive again, `hours` later. */
export function later(s: SampleColumns, hours: number): SampleColumns {
  const b = new SampleBuffer(s.length);
  b.reserve(s.length);
  for (let i = 0; i < s.length; i++) {
    b.t[i] = s.t[i] + hours * HOUR;
    b.sig[i] = s.sig[i];
    b.value[i] = s.value[i];
  }
  b.length = s.length;
  return b;
}
