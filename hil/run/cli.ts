/** `edgerule hil`: drive a device with recorded traces and compare its signed events with the simulator's (docs/HIL.md). */
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { tint, type Command } from '../../cli/command.ts';
import { CliError, UsageError } from '../../cli/errors.ts';
import { parseSpeed } from '../../simulator/cli.ts';
import { loadScenario } from '../../simulator/scenario.ts';
import { loadExpectations } from '../../simulator/expect.ts';
import { parseDuration } from '../../simulator/time.ts';
import { readKeyFile, type KeyFile } from '../../signing/keys.ts';
import { registryPath, DEFAULT_REGISTRY_FILE } from '../../signing/registry.ts';
import { loadHilBundle } from './reference.ts';
import { runHil, HIL_DEFAULTS, type HilOptions, type HilClock } from './run.ts';
import { judge } from './verdict.ts';
import { resultJson, summaryText, writeJunit, writeOutDir } from './outputs.ts';

function seconds(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = parseDuration(/^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : v);
  if (!(n > 0)) throw new UsageError(`--${name} ${v}: expected a duration (seconds, or 500ms, 30s, 2m)`);
  return n;
}

function count(v: string | undefined, name: string, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return Number(v);
}

export const hilCommand: Command = {
  usage: `usage: edgerule hil --port <port> --bundle <signed bundle> --trace <file>… [options]

Opens the port, HELLOs with a fresh nonce, flashes the bundle if the device runs another one, puts the device in
injection mode (its own sensors ignored) and streams the simulator's samples to it — same readers, same scenario —
with flow control, at the trace's pace or faster; collects the device's signed records, verifies each (signature
with the key the device announces, chain, sequence) and compares them with the simulator's for the same bundle,
inputs and key: byte-identical, or the first difference named. Ends on an end-of-run exchange with counts.
Exit code 0 PASS, 1 FAIL (a difference, a failed check or expectation), 3 the run could not be made (device lost,
silent, or not accepting injected runs), 2 usage.
  --port <path>          serial port (a board, or a virtual device's <folder>/tty)
  --bundle <file>        the signed bundle (edgerule sign) the device must run
  --map <file>           its sidecar map (default <bundle>.map.json when present): rule and value names
  --trace <file>         a recording (as edgerule simulate reads them); repeat to merge
  --offset <ms>          time shift of the matching --trace (repeat, in the same order)
  --start <iso>          calendar start of undated recordings
  --scenario <file>      events to overlay, as in edgerule simulate
  --until <time>         run the clock this long after the recording start (default: the scenario's, or the last sample)
  --speed <s>            max (default): as fast as the device takes them; 1x the trace's own pace, 10x, 0.5x
  --device-key <file>    the device's secret event key (test devices): the simulator signs with it and signature
                         bytes are compared too; without it record payloads are compared and every signature is
                         checked with the device's key from the registry (its HELLO key must be that one; a device
                         the registry does not hold: the key it announces)
  --registry <file>      device registry (default $EDGERULE_REGISTRY, else ./${DEFAULT_REGISTRY_FILE})
  --clock device         wall-clock mode: the device stamps samples with its own clock (needs --speed 1x); events
                         are matched within --tolerance (default ${HIL_DEFAULTS.toleranceMs} ms), not byte for byte
  --expect <file>        expectations, checked on the device's events (as edgerule simulate --expect)
  --junit <file>         JUnit XML: each check of the run and each expectation
  --out <dir>            events.cbor (the device's records), simulator-events.cbor, events.jsonl, report.html
                         (the simulator's report with the device's events drawn over it), hil.json
  --reset                restart the device first (RESET) and wait for its boot line
  --no-flash             refuse instead of flashing when the device runs another bundle
  --baud <n>             line rate (default ${HIL_DEFAULTS.baud}; a pseudo-terminal has none)
  --timeout-connect <s>  port, boot line and HELLO (default ${HIL_DEFAULTS.timeouts.connectMs / 1000} s)
  --timeout-flash <s>    flashing, slot check included (default ${HIL_DEFAULTS.timeouts.flashMs / 1000} s)
  --timeout-inject <s>   no reply, or no sample taken, for this long while injecting (default ${HIL_DEFAULTS.timeouts.injectMs / 1000} s)
  --timeout-drain <s>    no progress for this long after END_RUN (default ${HIL_DEFAULTS.timeouts.drainMs / 1000} s)
  --json                 print the result as JSON instead of the summary`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' }, bundle: { type: 'string' }, map: { type: 'string' }, trace: { type: 'string', multiple: true }, offset: { type: 'string', multiple: true },
        start: { type: 'string' }, scenario: { type: 'string' }, until: { type: 'string' }, speed: { type: 'string' }, 'device-key': { type: 'string' }, registry: { type: 'string' },
        clock: { type: 'string' }, tolerance: { type: 'string' }, expect: { type: 'string' }, junit: { type: 'string' }, out: { type: 'string' },
        reset: { type: 'boolean' }, 'no-flash': { type: 'boolean' }, baud: { type: 'string' }, 'timeout-connect': { type: 'string' },
        'timeout-flash': { type: 'string' }, 'timeout-inject': { type: 'string' }, 'timeout-drain': { type: 'string' }, json: { type: 'boolean' },
      },
    });
    if (!values.port) throw new UsageError('missing --port <port>: the serial port of the device (a virtual device\'s <folder>/tty)');
    if (!values.bundle) throw new UsageError('missing --bundle <file>: the signed bundle the device must run');
    if (!values.trace?.length) throw new UsageError('missing --trace <file>: at least one recording to inject');
    const clock = (values.clock ?? 'injected') as HilClock;
    if (clock !== 'injected' && clock !== 'device') throw new UsageError(`--clock ${values.clock}: expected device (or leave it out for injected time)`);
    const speed = parseSpeed(values.speed);
    if (clock === 'device' && speed !== 1) throw new UsageError('--clock device runs on the device\'s own clock: it needs --speed 1x');
    if (values.tolerance && clock !== 'device') throw new UsageError('--tolerance is for --clock device (injected time is compared byte for byte)');
    const offsets = (values.offset ?? []).map((x) => {
      if (!Number.isFinite(Number(x))) throw new UsageError(`--offset ${x}: expected milliseconds`);
      return Number(x);
    });
    const startMs = values.start === undefined ? undefined : Date.parse(values.start);
    if (startMs !== undefined && !Number.isFinite(startMs)) throw new UsageError(`--start ${values.start}: expected an ISO 8601 date-time`);
    const untilRel = values.until === undefined ? undefined : parseDuration(/^\d+(\.\d+)?$/.test(values.until) ? Number(values.until) : values.until);
    if (untilRel !== undefined && !(untilRel >= 0)) throw new UsageError(`--until ${values.until}: expected a duration from the recording start`);
    const timeouts = {
      connectMs: seconds(values['timeout-connect'], 'timeout-connect', HIL_DEFAULTS.timeouts.connectMs),
      flashMs: seconds(values['timeout-flash'], 'timeout-flash', HIL_DEFAULTS.timeouts.flashMs),
      injectMs: seconds(values['timeout-inject'], 'timeout-inject', HIL_DEFAULTS.timeouts.injectMs),
      drainMs: seconds(values['timeout-drain'], 'timeout-drain', HIL_DEFAULTS.timeouts.drainMs),
    };
    const toleranceMs = values.tolerance ? seconds(values.tolerance, 'tolerance', HIL_DEFAULTS.toleranceMs) : HIL_DEFAULTS.toleranceMs;
    const baud = count(values.baud, 'baud', HIL_DEFAULTS.baud);
    let deviceKey: KeyFile | undefined;
    if (values['device-key']) {
      deviceKey = readKeyFile(values['device-key']);
      if (deviceKey.role !== 'device' || !deviceKey.seed) throw new CliError(`--device-key ${values['device-key']}: needs a device's secret key (edgerule keygen --role device), got a ${deviceKey.role} ${deviceKey.seed ? 'secret' : 'public'} key`);
    }
    const bundle = loadHilBundle(values.bundle, values.map);
    const scenario = values.scenario ? { file: values.scenario, scenario: await loadScenario(values.scenario) } : undefined;
    const o: HilOptions = {
      ...HIL_DEFAULTS, port: values.port, baud, bundle, inputs: { traces: values.trace, offsets, startMs, scenario, untilRel }, speed, clock,
      toleranceMs, deviceKey, registry: deviceKey ? undefined : registryPath(values.registry), flash: !values['no-flash'], reset: !!values.reset, timeouts,
      log: values.json ? undefined : (l) => io.error(l),
    };
    const expectations = values.expect ? loadExpectations(values.expect, o.bundle.loaded.rules.map((r) => r.name)) : undefined;
    const run = await runHil(o);
    const r = judge(run, o, expectations);
    const files = values.out ? writeOutDir(values.out, r, run, o.clock === 'device' ? o.toleranceMs : 0) : [];
    if (values.junit) writeJunit(values.junit, r);
    if (values.json) io.log(resultJson(r, files));
    else {
      io.log(summaryText(r, (c, s) => tint(io, 'stdout', c, s)));
      if (files.length || values.junit) io.log(`wrote ${[...files, ...(values.junit ? [values.junit] : [])].map((f) => relative(process.cwd(), f) || f).join(', ')}`);
    }
    return r.exit;
  },
};
