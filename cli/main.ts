/**
 * Subcommand dispatch for `edgerule`. Each command lives with the part of the toolchain it drives;
 * this file only routes and prints usage. Options are parsed with Node's util.parseArgs.
 * `main(argv, io)` is what bin/edgerule.mjs runs; tests call it in process with a bufferIo().
 */
import { processIo, tint, type Command, type Io } from './command.ts';

const commands: Record<string, () => Promise<Command>> = {
  compile: async () => (await import('../compiler/cli.ts')).compileCommand,
  inspect: async () => {
    const { inspectCommand } = await import('../compiler/cli.ts');
    // The compiler does not load the runtime artifact itself (compiler must not import simulator/): it is handed
    // the artifact's translator, loaded only when --translated asks for it.
    return inspectCommand(async (bytes) => (await import('../simulator/artifact.ts')).loadRuntimeArtifact().translated(bytes));
  },
  keygen: async () => (await import('../signing/cli.ts')).keygenCommand,
  pubkey: async () => (await import('../signing/cli.ts')).pubkeyCommand,
  sign: async () => (await import('../signing/cli.ts')).signCommand,
  verify: async () => (await import('../signing/cli.ts')).verifyCommand,
  simulate: async () => (await import('../simulator/cli.ts')).simulateCommand,
  demo: async () => (await import('../simulator/cli.ts')).demoCommand,
  qa: async () => (await import('../qa/cli.ts')).qaCommand,
  tune: async () => (await import('../qa/tune-cli.ts')).tuneCommand,
  worker: async () => (await import('../qa/nats/worker-cli.ts')).workerCommand,
  ports: async () => (await import('../hil/ports.ts')).portsCommand,
  flash: async () => (await import('../hil/cli.ts')).flashCommand,
  monitor: async () => (await import('../hil/monitor.ts')).monitorCommand,
  device: async () => (await import('../hil/cli.ts')).deviceCommand,
  relay: async () => (await import('../hil/cli.ts')).relayCommand,
  hil: async () => (await import('../hil/run/cli.ts')).hilCommand,
};

async function usage(): Promise<string> {
  const lines = ['usage: edgerule <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(commands)) {
    try {
      lines.push(`  ${name.padEnd(10)} ${(await load()).summary}`);
    } catch (e) {
      lines.push(`  ${name.padEnd(10)} (unavailable: ${(e as Error).message.split('\n')[0]})`);
    }
  }
  lines.push('', 'edgerule <command> --help for its options');
  return lines.join('\n');
}

/** Runs `edgerule <argv…>`, writing to io; resolves with the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.log(await usage());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    io.error(tint(io, 'stderr', 'red', `edgerule: unknown command '${name}'`) + '\n\n' + (await usage()));
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    io.error(tint(io, 'stderr', 'red', `edgerule ${name}: ${(e as Error).message}`));
    return 1;
  }
}
