/**
 * One replay in a process of its own, for bench/simulator.bench.ts: peak RSS is a per-process figure, so each
 * measured replay gets a fresh process. Replays the traces named through the given compiled bundle (no compile in
 * the measured process), writes events.jsonl into `--out`, and prints one JSON line: samples replayed, events,
 * wall ms of simulate() + writing the events, and the process's peak RSS in bytes (getrusage's ru_maxrss).
 *
 *   node --import ./cli/register-ts.mjs bench/replay-child.ts [--offsets <ms>,<ms>…] <bundle> <out dir> <trace>…
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundle } from '../simulator/inputs.ts';
import { simulate, eventsJsonl } from '../simulator/run.ts';

export interface ChildFigures { cpuMs: number; samples: number; events: number; ms: number; maxRssBytes: number; durationMs: number }

const argv = process.argv.slice(2);
const offsets = argv[0] === '--offsets' ? argv.splice(0, 2)[1].split(',').map(Number) : undefined;
const [bundlePath, outDir, ...traces] = argv;
const bundle = await loadBundle(bundlePath);
const cpu0 = process.cpuUsage();
const started = performance.now();
const r = simulate({ bundle, traces, offsets });
writeFileSync(join(outDir, 'events.jsonl'), eventsJsonl(r.events));
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
const figures: ChildFigures = {
  cpuMs: (cpu.user + cpu.system) / 1000, samples: r.counts.replayed, events: r.events.length, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, durationMs: r.until - r.t0,
};
console.log(JSON.stringify(figures));
