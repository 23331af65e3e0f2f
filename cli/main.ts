/**
 * Subcommand dispatch for `edgerule`. Each command lives with the part of the toolchain it drives;
 * this file only routes and prints usage. Options are parsed with Node's util.parseArgs.
 */
import { styleText } from 'node:util';

export interface Command { summary: string; usage: string; run(args: string[]): Promise<number> }

const commands: Record<string, () => Promise<Command>> = {
  compile: async () => (await import('../compiler/cli.ts')).compileCommand,
  inspect: async () => (await import('../compiler/cli.ts')).inspectCommand,
  keygen: async () => (await import('../signing/cli.ts')).keygenCommand,
  pubkey: async () => (await import('../signing/cli.ts')).pubkeyCommand,
  sign: async () => (await import('../signing/cli.ts')).signCommand,
  verify: async () => (await import('../signing/cli.ts')).verifyCommand,
  simulate: async () => (await import('../simulator/cli.ts')).simulateCommand,
  demo: async () => (await import('../simulator/cli.ts')).demoCommand,
  ports: async () => (await import('../hil/ports.ts')).portsCommand,
  flash: async () => (await import('../hil/cli.ts')).flashCommand,
  monitor: async () => (await import('../hil/monitor.ts')).monitorCommand,
  device: async () => (await import('../hil/cli.ts')).deviceCommand,
  relay: async () => (await import('../hil/cli.ts')).relayCommand,
};

/** Other parts of the toolchain add their commands here. */
export function registerCommand(name: string, load: () => Promise<Command>): void {
  commands[name] = load;
}

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

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(styleText('red', `edgerule: unknown command '${name}'`) + '\n\n' + (await usage()));
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    console.error(styleText('red', `edgerule ${name}: ${(e as Error).message}`));
    return 1;
  }
}
