/**
 * The device footprint (issue 12; README "Footprint", docs/HOSTS.md): per target, the bytes of every file
 * `edgerule build-runtime` makes; Espruino variables after loading the runtime and the rule library, and after the
 * whole host, on a fixed 12,000-variable build (env ESPRUINO_12K) and a 2,600-variable Puck.js-class build (env
 * ESPRUINO_2600), code evaluated from Storage as the boot file does; RAM for rule state (the compiler's budget);
 * flash for the bundle slots and the event queue (the record log). The 12,000-variable build is measured again with
 * an event key (the agent then holds the event writer and its queue); where the library cannot be translated at load
 * (the 2,600-variable build), it is measured again running from a kept translation (er.code, made by the desktop
 * runtime: the same bytes a board's keepCode writes). Targets: the full host leaves ≥ 50 % of a
 * 12,000-variable board free; the library without signing leaves ≥ 25 % of a 2,600-variable board; the Moddable
 * module ≤ 16 KB of JavaScript.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTarget } from '../firmware/build.ts';
import { deviceConfig } from '../firmware/board-config.ts';
import { espruinoFiles } from '../firmware/espruino.ts';
import { findProfile } from '../firmware/build.ts';
import { installStorage } from '../hil/espruino/device.ts';
import { compileFiles } from '../compiler/compile.ts';
import { signedLibrary } from '../harness/link.ts';
import { runtimeArtifactSource } from '../simulator/artifact.ts';
import { keptRecordOf } from './rules-load.ts';

export interface FootprintRow { build: string; item: string; value: number | string; unit: string; note?: string; target?: string; pass?: boolean }

const LOG_REGION = 8192; // runtime/boards/espruino.ts's default record-log region (each of two files)

/** One Espruino run: code files from Storage, step by step, printing usage after each (an out-of-memory stops it). */
const PROBE = (kept: boolean, seed: string) => `var KEPT=${kept ? 1 : 0},SEED=${JSON.stringify(seed)},S=require("Storage"),M=function(){return process.memory().usage;};
print("<<m total "+process.memory().total+">>");print("<<m base "+M()+">>");
eval(S.read("er.rt.js"));print("<<m runtime "+M()+">>");
var host={emit:function(){},output:function(){},interval:function(){},keepCode:function(s){S.write("er.code",s);return S.read("er.code");}};
if(KEPT)host.keptCode=S.read("er.code");
var rt=EdgeRule.load(new Uint8Array(E.toArrayBuffer(S.read("lib.erb"))),host);print("<<m library "+M()+" "+(rt.fault||0)+" "+E.getSizeOf(rt)+">>");
eval(S.read("er.sig.js"));print("<<m signing "+M()+">>");
eval(S.read("er.link.js"));print("<<m link "+M()+">>");
eval(S.read("er.host.js"));print("<<m host "+M()+">>");
eval(S.read("er.board.js"));print("<<m board "+M()+">>");
var h=EdgeRule.espruino({profile:"full"},SEED?{device:7,seed:SEED}:{device:7},S,(function(){try{return require("crypto");}catch(e){return null;}})());
print("<<m started "+M()+" "+(h.fault?1:0)+">>");
clearInterval();clearTimeout();quit();
`;

interface ProbeOptions {
  /** A kept translation of the library (runtime/engine/kept.ts) installed as er.code and handed back as keptCode. */
  kept?: string;
  /** An event key seed: the agent then holds the event writer and its queue, as a device that signs events does. */
  seed?: string;
}

function espruinoMemory(label: string, bin: string, files: Array<{ name: string; bytes: Uint8Array }>, lib: Uint8Array, rules: number, o: ProbeOptions = {}): FootprintRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-footprint-'));
  const how = o.kept ? ' (translation kept in flash)' : o.seed ? ' (with an event key)' : '';
  try {
    const extra = o.kept ? [{ name: 'er.code', bytes: new Uint8Array(Buffer.from(o.kept, 'latin1')) }] : [];
    installStorage(bin, dir, [...files.filter((f) => f.name.endsWith('.js') && !f.name.startsWith('.boot')), files.find((f) => f.name === 'er.tab')!, { name: 'lib.erb', bytes: lib }, ...extra], 1024);
    writeFileSync(join(dir, 'probe.js'), PROBE(!!o.kept, o.seed ?? ''));
    const r = spawnSync(bin, ['probe.js'], { cwd: dir, input: '', timeout: 600_000, encoding: 'latin1' });
    const m = new Map<string, number[]>();
    for (const x of (r.stdout ?? '').matchAll(/<<m (\w+) ([\d ]+)>>/g)) m.set(x[1], x[2].split(' ').map(Number));
    const total = m.get('total')?.[0] ?? NaN;
    const base = m.get('base')?.[0] ?? NaN;
    const at = (k: string) => m.get(k)?.[0];
    const used = (k: string) => (at(k) === undefined ? NaN : at(k)! - base);
    const free = (k: string) => (at(k) === undefined ? NaN : Math.round(((total - at(k)!) / total) * 1000) / 10);
    const stop = ['runtime', 'library', 'signing', 'link', 'host', 'board', 'started'].find((k) => at(k) === undefined);
    const stopped = stop ? `stopped before '${stop}': ${/(Out of Memory|MEMORY|Uncaught[^\r\n]*)/.exec(r.stdout ?? '')?.[1] ?? 'no output'}` : '';
    const rows: FootprintRow[] = [];
    if (!o.seed) {
      rows.push(
        { build: label, item: `runtime + library${how} (no signing): variables used`, value: used('library'), unit: 'vars', note: `runtime ${used('runtime')}, library loaded ${used('library') - used('runtime')} (E.getSizeOf(rt) ${m.get('library')?.[2] ?? '?'}; ${rules} rules)` },
        { build: label, item: `runtime + library${how} (no signing): free`, value: free('library'), unit: '% of ' + total, ...(total < 5000 ? { target: '≥ 25 %', pass: free('library') >= 25 } : {}), note: stopped },
      );
    }
    if (total >= 5000) {
      rows.push(
        { build: label, item: `whole host + library${how}: variables used`, value: used('started'), unit: 'vars', note: `signing ${used('signing') - used('library')}, link ${used('link') - used('signing')}, host ${used('host') - used('link')}, board ${used('board') - used('host')}, started ${used('started') - used('board')}` },
        { build: label, item: `whole host + library${how}: free`, value: free('started'), unit: '% of ' + total, ...(o.seed ? {} : { target: '≥ 50 %', pass: free('started') >= 50 }), note: stopped },
      );
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** When the whole library does not load: the longest prefix of the library's rules (file order) that does. */
async function largestThatLoads(label: string, bin: string, files: Array<{ name: string; bytes: Uint8Array }>): Promise<FootprintRow[]> {
  const all = readdirSync('rules').filter((f) => f.endsWith('.ts') && f !== 'profiles.ts').sort();
  for (let n = all.length - 1; n > 0; n--) {
    const c = await compileFiles(all.slice(0, n).map((f) => `rules/${f}`));
    const got = espruinoMemory(label, bin, files, c.bytes, n);
    if (Number.isNaN(got[0].value)) continue;
    return [{ ...got[1], item: `runtime + the first ${n} of ${all.length} rules (no signing): free`, note: `${got[0].value} vars used; the whole library runs out of memory while it loads; left out: ${all.slice(n).map((f) => f.replace('.ts', '')).join(', ')}` }];
  }
  return [{ build: label, item: 'no rule of the library loads', value: NaN, unit: '' }];
}

export async function benchFootprint(): Promise<FootprintRow[]> {
  const rows: FootprintRow[] = [];
  for (const target of ['espruino', 'moddable'] as const) {
    const out = mkdtempSync(join(tmpdir(), `edgerule-footprint-${target}-`));
    const r = await buildTarget({ target, out });
    for (const f of r.files) rows.push({ build: target, item: f.name, value: f.bytes, unit: 'bytes', note: f.kind });
    const modJs = target === 'moddable' ? r.javascript : 0;
    rows.push({ build: target, item: 'JavaScript in all', value: r.javascript, unit: 'bytes', ...(target === 'moddable' ? { target: '≤ 16384 bytes', pass: modJs <= 16384, note: 'runtime, signing, link, host, board adapter, config, main' } : {}) });
    if (target === 'moddable') {
      const own = r.files.filter((f) => ['edgerule-host.js', 'edgerule-board.js', 'edgerule-config.js', 'main.js'].includes(f.name)).reduce((n, f) => n + f.bytes, 0);
      rows.push({ build: target, item: 'host module alone (host, board adapter, config, main)', value: own, unit: 'bytes', note: 'without the runtime, signing and link every target shares' });
    }
    rmSync(out, { recursive: true, force: true });
  }
  const c = await compileFiles(['rules']);
  const state = c.budget.reduce((n, b) => n + b.stateBytes, 0);
  rows.push({ build: 'any', item: 'rule state (compiler budget)', value: Math.round(state / c.budget.length), unit: 'bytes per rule', note: `${state} bytes for ${c.budget.length} rules; max ${Math.max(...c.budget.map((b) => b.stateBytes))}` });
  const signed = await signedLibrary({ version: 1 });
  rows.push({ build: 'espruino', item: 'flash: bundle slots (library, signed)', value: 2 * signed.length, unit: 'bytes', note: `2 × ${signed.length} (er.s0, er.s1; a slot is the bundle plus the link's slot header)` });
  rows.push({ build: 'espruino', item: 'flash: event queue and records (record log)', value: 2 * LOG_REGION, unit: 'bytes', note: `er.l0 + er.l1, ${LOG_REGION} bytes each (er.cfg logSize)` });
  const files = await espruinoFiles(deviceConfig({}, await findProfile('full'), 'footprint board'));
  for (const [env, label] of [['ESPRUINO_12K', 'espruino-12k'], ['ESPRUINO_2600', 'espruino-2600']] as const) {
    const bin = process.env[env];
    if (!bin || !existsSync(bin)) {
      rows.push({ build: label, item: 'SKIPPED', value: '', unit: '', note: `env ${env} ${bin ? `names no file (${bin})` : 'is not set'} (an Espruino Linux build with a fixed variable store: ${env}=/path/to/${label})` });
      continue;
    }
    const got = espruinoMemory(label, bin, files, c.bytes, c.budget.length);
    rows.push(...got);
    if (label === 'espruino-12k') rows.push(...espruinoMemory(label, bin, files, c.bytes, c.budget.length, { seed: '11'.repeat(32) }));
    // a board too small to translate the library at load runs it from a translation kept in flash (er.code)
    if (Number.isNaN(got[0].value)) {
      rows.push(...espruinoMemory(label, bin, files, c.bytes, c.budget.length, { kept: keptRecordOf(runtimeArtifactSource(), c.bytes) }));
      rows.push(...await largestThatLoads(label, bin, files));
    }
  }
  return rows;
}

export function formatRows(rows: FootprintRow[]): string {
  const w = Math.max(...rows.map((r) => r.item.length));
  return rows.map((r) => `${r.build.padEnd(14)} ${r.item.padEnd(w)}  ${String(r.value).padStart(7)} ${r.unit}${r.pass !== undefined ? `  [${r.pass ? 'PASS' : 'MISS'} ${r.target}]` : ''}${r.note ? `  (${r.note})` : ''}`).join('\n');
}
