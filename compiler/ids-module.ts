/**
 * The ids a device program needs, as a small ES5 script (`edgerule compile --ids <file>`): signal ids (fixed by the
 * catalogue), rule ids, output ids and severity names of one bundle. A device loads it beside the runtime and writes
 * `rt.set(EdgeRuleIds.signals['gnss.speed'], v, t)` instead of a bare 2; ids are wire format, names are for people.
 * It defines one global, `EdgeRuleIds` (and `exports` under a module loader), like dist/edgerule-runtime.js.
 */
import { SIGNAL_NAME_BY_ID } from './signals.generated.ts';
import { SEVERITY_NAMES } from '../runtime/engine/severity.ts';
import type { SidecarMap } from './compile.ts';

/** The ES5 text of the ids script for a compiled bundle (its sidecar map and the outputs of its profile). */
export function idsModule(map: SidecarMap, outputs: readonly string[]): string {
  const object = (entries: Array<[string, number]>) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  const ids = [
    `signals:${object(SIGNAL_NAME_BY_ID.map((name, id) => [name, id]))}`,
    `rules:${object(map.rules.map((r) => [r.name, r.id]))}`,
    `outputs:${object(outputs.map((name, id) => [name, id]))}`,
    `severities:${JSON.stringify(SEVERITY_NAMES)}`,
    `bundleSha256:${JSON.stringify(map.bundleSha256)}`,
    `profile:${JSON.stringify(map.profile)}`,
  ];
  return [
    `// Ids of bundle sha256 ${map.bundleSha256} (profile ${map.profile}), written by edgerule compile --ids. ES5.`,
    `var EdgeRuleIds = {${ids.join(',\n')}};`,
    'if (typeof exports !== "undefined" && exports) { exports.signals = EdgeRuleIds.signals; exports.rules = EdgeRuleIds.rules; exports.outputs = EdgeRuleIds.outputs; exports.severities = EdgeRuleIds.severities; }',
    '',
  ].join('\n');
}
