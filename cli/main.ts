/**
 * Subcommand dispatch for `edgerule`: routes, prints the overview, the version and usage, and turns what a command
 * throws into a message and an exit code (cli/errors.ts). Each command lives with the part of the toolchain it drives
 * and is imported only when it runs, so `edgerule --help` loads no command at all.
 * `main(argv, io)` is what bin/edgerule.mjs runs; tests call it in process with a bufferIo().
 */
import { readFileSync } from 'node:fs';
import { processIo, tint, type Command, type Io } from './command.ts';
import { exitCodeOf } from './errors.ts';
import { EXIT } from './exit-codes.ts';
import { terminalLines } from './safe-text.ts';

interface Entry {
  /** One line for `edgerule --help` (owned here, so the overview needs no command loaded). */
  summary: string;
  load(): Promise<Command>;
}

const COMMANDS: Record<string, Entry> = {
  compile: {
    summary: 'type-check and compile rule files or folders into a verified bytecode bundle',
    load: async () => (await import('../compiler/cli.ts')).compileCommand,
  },
  inspect: {
    summary: 'disassemble a bundle with rule names, severities, source lines and the budget table',
    load: async () => {
      const { inspectCommand } = await import('../compiler/inspect-cli.ts');
      // The compiler does not load the runtime artifact itself (compiler must not import simulator/): it is handed
      // the artifact's translator, loaded only when --translated asks for it.
      return inspectCommand(async (bytes) => (await import('../simulator/artifact.ts')).loadRuntimeArtifact().translated(bytes));
    },
  },
  keygen: {
    summary: 'make an ed25519 key pair: a build key (signs bundles) or a device event key',
    load: async () => (await import('../signing/cli.ts')).keygenCommand,
  },
  pubkey: {
    summary: 'print the public key of a key file',
    load: async () => (await import('../signing/cli.ts')).pubkeyCommand,
  },
  sign: {
    summary: 'sign a bundle with the build key (COSE_Sign1: version, profile, catalogue hash, event signing mode)',
    load: async () => (await import('../signing/cli.ts')).signCommand,
  },
  verify: {
    summary: 'verify a device events file (signatures, checkpoints, chain, sequence) or a signed bundle',
    load: async () => (await import('../signing/cli.ts')).verifyCommand,
  },
  simulate: {
    summary: 'replay recorded GPS/IMU traces through the device runtime (events, report, QA gates)',
    load: async () => (await import('../simulator/cli.ts')).simulateCommand,
  },
  demo: {
    summary: 'compile the rule library and replay the example drive with a door-theft scenario (report in out/)',
    load: async () => (await import('../simulator/cli.ts')).demoCommand,
  },
  qa: {
    summary: 'corpus figures: false alarms per 1,000 h and 10,000 km, detection latency, rule coverage, baseline diff',
    load: async () => (await import('../qa/cli.ts')).qaCommand,
  },
  tune: {
    summary: 'sweep rule parameters over a corpus: false alarms vs detection latency per point, and the Pareto front',
    load: async () => (await import('../qa/tune-cli.ts')).tuneCommand,
  },
  worker: {
    summary: 'serve edgerule qa / tune jobs from a NATS JetStream work queue (run one per machine of a farm)',
    load: async () => (await import('../qa/nats/worker-cli.ts')).workerCommand,
  },
  ports: {
    summary: 'list serial ports, with USB vendor/product ids and serial numbers',
    load: async () => (await import('../hil/ports.ts')).portsCommand,
  },
  flash: {
    summary: 'flash a signed bundle into a device\'s inactive slot over a serial port and activate it',
    load: async () => (await import('../hil/cli.ts')).flashCommand,
  },
  monitor: {
    summary: 'watch a device\'s live event stream: decoded, signatures and chain checked, acknowledged',
    load: async () => (await import('../hil/monitor.ts')).monitorCommand,
  },
  device: {
    summary: 'run a virtual device (the runtime artifacts and the link agent) behind a pseudo-terminal',
    load: async () => (await import('../hil/cli.ts')).deviceCommand,
  },
  relay: {
    summary: 'relay a serial port through a new pseudo-terminal, paced to a baud rate, with seeded byte faults',
    load: async () => (await import('../hil/cli.ts')).relayCommand,
  },
  provision: {
    summary: 'install a trust anchor on a device over the link (the device makes its own event key); rotate keys; factory reset',
    load: async () => (await import('../hil/provision-cli.ts')).provisionCommand,
  },
  devices: {
    summary: 'list the devices in the registry: keys, last bundle seen, last event seq verified',
    load: async () => (await import('../hil/provision-cli.ts')).devicesCommand,
  },
  'build-runtime': {
    summary: 'package the runtime for a device: Espruino Storage files, a Moddable module folder, or the Node host',
    load: async () => (await import('../firmware/cli.ts')).buildRuntimeCommand,
  },
  'install-runtime': {
    summary: 'install the runtime on an Espruino board over its REPL: Storage files checked by E.CRC32, boot code, HELLO',
    load: async () => (await import('../firmware/cli.ts')).installRuntimeCommand,
  },
  hil: {
    summary: 'drive a device with recorded traces over serial and prove its signed events equal the simulator\'s',
    load: async () => (await import('../hil/run/cli.ts')).hilCommand,
  },
};

/** The names of the commands, in the order `--help` lists them. */
export const COMMAND_NAMES = Object.keys(COMMANDS);

/** Loads a command by name (tests check every command's usage and conventions this way). */
export function loadCommand(name: string): Promise<Command> {
  return COMMANDS[name].load();
}

function overview(): string {
  const lines = ['usage: edgerule <command> [options]', '', 'commands:'];
  for (const [name, entry] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${entry.summary}`);
  lines.push('', 'edgerule <command> --help    the command\'s options', 'edgerule --version           versions of the tool, the bundle format and the signal catalogue',
    '', 'exit codes: 0 ok, 1 a check failed, 2 usage error, 3 an input could not be checked, 4 internal error (README.md, "Exit codes")');
  return lines.join('\n');
}

/** `edgerule 0.1.0 (bundle format 1, catalogue 0x49d52cf9)`: what a device's compatibility depends on. */
async function version(): Promise<string> {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const { FORMAT_VERSION } = await import('../runtime/engine/format.ts');
  const { CATALOGUE_HASH } = await import('../runtime/engine/catalogue.generated.ts');
  return `edgerule ${pkg.version} (bundle format ${FORMAT_VERSION}, catalogue 0x${(CATALOGUE_HASH >>> 0).toString(16).padStart(8, '0')})`;
}

/** The first paragraph of a command's usage: its synopsis lines. */
function synopsis(usage: string): string {
  return usage.split('\n\n')[0];
}

/** The nearest command names to a mistyped one (same first letter or one edit apart). */
function nearest(name: string): string[] {
  return COMMAND_NAMES.filter((c) => c.startsWith(name) || name.startsWith(c) || oneEditApart(c, name));
}

function oneEditApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return a.slice(i + (a.length >= b.length ? 1 : 0)) === b.slice(i + (b.length >= a.length ? 1 : 0));
}

/** Node's parseArgs messages go on after their first sentence with advice about '--': the first sentence is enough. */
function firstSentence(message: string): string {
  const m = /^(.*?[^.]\.)\s+[A-Z]/.exec(message);
  return m ? m[1].replace(/\.$/, '') : message;
}

/** Prints what a command threw; returns its exit code. */
function report(io: Io, name: string, command: Command, e: unknown, json: boolean): number {
  const code = exitCodeOf(e);
  const error = e instanceof Error ? e : new Error(String(e));
  let text: string;
  if (code === EXIT.USAGE) {
    const message = (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS_') ? firstSentence(error.message) : error.message;
    text = `edgerule ${name}: ${message}\n${synopsis(command.usage)}\n(edgerule ${name} --help for all options)`;
  } else if (code === EXIT.INTERNAL) {
    text = `edgerule ${name}: internal error, a bug in edgerule (please report it with the command line): ${error.stack ?? error.message}`;
  } else {
    text = `edgerule ${name}: ${error.message}`;
  }
  // messages quote names from files (rules, traces, paths): no control character reaches the terminal
  io.error(tint(io, 'stderr', 'red', terminalLines(text)));
  if (json) io.log(JSON.stringify({ ok: false, exitCode: code, error: text.split('\n')[0].slice(`edgerule ${name}: `.length) }));
  return code;
}

/** Runs `edgerule <argv…>`, writing to io; resolves with the exit code (cli/exit-codes.ts). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.error(`edgerule: no command given\n\n${overview()}`);
    return EXIT.USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    if (rest[0] && COMMANDS[rest[0]]) io.log((await COMMANDS[rest[0]].load()).usage);
    else io.log(overview());
    return EXIT.OK;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.log(await version());
    return EXIT.OK;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    const near = nearest(name);
    io.error(tint(io, 'stderr', 'red', `edgerule: unknown command '${name}'`) + (near.length ? `; did you mean ${near.join(' or ')}?` : '') +
      `\ncommands: ${COMMAND_NAMES.join(', ')} (edgerule --help says what each does)`);
    return EXIT.USAGE;
  }
  if (rest.length === 1 && (rest[0] === '--version' || rest[0] === '-V')) {
    io.log(await version());
    return EXIT.OK;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.log(command.usage);
    return EXIT.OK;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    return report(io, name, command, e, rest.includes('--json'));
  }
}
