/**
 * The exit codes every `edgerule` command uses, so a CI script can tell the kinds of failure apart
 * (documented in README.md, "Exit codes"). One home: commands import these names, never bare numbers.
 */
export const EXIT = {
  /** Everything asked for was done and every check passed. */
  OK: 0,
  /** A check ran and failed: tampering found, a gate or expectation failed, a bundle or flash refused. */
  CHECK_FAILED: 1,
  /** The command line is wrong: unknown command or option, a missing or malformed argument. */
  USAGE: 2,
  /** The check could not be made: an input is unreadable, malformed or of the wrong kind, a device did not answer. */
  CANNOT_CHECK: 3,
  /** A bug in edgerule itself: an unexpected exception. */
  INTERNAL: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
