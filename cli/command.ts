/**
 * What an `edgerule` subcommand is, and where it writes. Each command lives with the part of the toolchain it
 * drives (compiler/cli.ts, compiler/inspect-cli.ts, signing/cli.ts, simulator/cli.ts) and imports from cli/ only
 * this module, cli/errors.ts and cli/exit-codes.ts, so the dispatcher (cli/main.ts) can import the commands without
 * an import circle. Its one-line summary for `edgerule --help` lives in cli/main.ts's table, so listing the
 * commands loads none of them.
 */
import { styleText } from 'node:util';

/** A command's output streams: the process's own when run as `edgerule`, buffers when a test runs it in process. */
export interface Io {
  /** Writes text to standard output as it is. */
  write(text: string): void;
  /** Writes a line to standard output (what console.log does). */
  log(text: string): void;
  /** Writes a line to standard error (what console.error does). */
  error(text: string): void;
  /** Writes text to standard error as it is (progress lines that redraw themselves). */
  writeErr(text: string): void;
  /** Standard output is a terminal: colours and live event lines. */
  readonly stdoutIsTTY: boolean;
  /** Standard error is a terminal: progress bars. */
  readonly stderrIsTTY: boolean;
}

export interface Command {
  /**
   * Obsolete: `edgerule --help` takes each command's one-line summary from cli/main.ts's table (listing the commands
   * must not load them). Still allowed so commands that carry one type-check; delete it from them.
   */
  summary?: string;
  /** Synopsis lines, a blank line, then one line per option: printed by --help, its first paragraph on a usage error. */
  usage: string;
  /** Runs the command; resolves with the process exit code (cli/exit-codes.ts). */
  run(args: string[], io: Io): Promise<number>;
}

/** `text` styled when the stream it goes to is a terminal (and NO_COLOR / FORCE_COLOR allow it), else plain. */
export function tint(io: Io, stream: 'stdout' | 'stderr', format: Parameters<typeof styleText>[0], text: string): string {
  const tty = stream === 'stdout' ? io.stdoutIsTTY : io.stderrIsTTY;
  return tty ? styleText(format, text, { stream: stream === 'stdout' ? process.stdout : process.stderr }) : text;
}

/** The process's standard output and error. */
export const processIo: Io = {
  write: (text) => { process.stdout.write(text); },
  log: (text) => { process.stdout.write(text + '\n'); },
  error: (text) => { process.stderr.write(text + '\n'); },
  writeErr: (text) => { process.stderr.write(text); },
  get stdoutIsTTY() { return !!process.stdout.isTTY; },
  get stderrIsTTY() { return !!process.stderr.isTTY; },
};

/** An Io that keeps everything written, for running commands in process (tests). Not a terminal. */
export function bufferIo(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    write: (text: string) => { io.stdout += text; },
    log: (text: string) => { io.stdout += text + '\n'; },
    error: (text: string) => { io.stderr += text + '\n'; },
    writeErr: (text: string) => { io.stderr += text; },
    stdoutIsTTY: false,
    stderrIsTTY: false,
  };
  return io;
}
