/**
 * How a command fails. A command returns an exit code for the outcomes it reports itself (a failed check prints its
 * findings and returns EXIT.CHECK_FAILED); for everything else it throws, and cli/main.ts turns the error into one
 * message line and the exit code `exitCodeOf` gives. The convention (docs/ARCHITECTURE.md, "Conventions for
 * commands"): throw a UsageError for a wrong command line, a CliError with EXIT.CANNOT_CHECK for an input that is
 * missing, unreadable or of the wrong kind; anything else that escapes is a bug (EXIT.INTERNAL).
 */
import { EXIT, type ExitCode } from './exit-codes.ts';

/** An error whose message is for the user as it stands (no stack trace), ending the command with `exitCode`. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: ExitCode = EXIT.CANNOT_CHECK) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line is wrong: the message names the option (missing, unknown or malformed) and what it wants. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
    this.name = 'UsageError';
  }
}

const CODES = new Set<number>(Object.values(EXIT));

/** Errors of JavaScript itself: an edgerule bug, never a user's mistake. */
function isBug(e: Error): boolean {
  return e instanceof TypeError || e instanceof ReferenceError || e instanceof SyntaxError || e instanceof RangeError;
}

/**
 * The exit code for an error a command threw:
 *   an `exitCode` of EXIT's (CliError, UsageError, or any error that carries one) → that code;
 *   util.parseArgs's errors (unknown option, missing value, unexpected argument) → USAGE;
 *   a system error (ENOENT, EACCES, EISDIR…: a file that cannot be read or written) → CANNOT_CHECK;
 *   TypeError, ReferenceError, SyntaxError, RangeError, or a thrown non-Error → INTERNAL;
 *   any other Error (a reader or loader refusing its input with a message) → CANNOT_CHECK.
 */
export function exitCodeOf(e: unknown): ExitCode {
  if (!(e instanceof Error)) return EXIT.INTERNAL;
  const carried = (e as { exitCode?: unknown }).exitCode;
  if (typeof carried === 'number' && CODES.has(carried)) return carried as ExitCode;
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) return EXIT.USAGE;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return EXIT.CANNOT_CHECK;
  return isBug(e) ? EXIT.INTERNAL : EXIT.CANNOT_CHECK;
}
