/**
 * Runs `edgerule` commands for tests: in process through cli/main.ts's main(argv, io) with the output captured
 * (fast: no Node start-up, no TypeScript loader per run), or as a real child process through bin/edgerule.mjs for
 * the few smoke tests that must prove the executable itself works.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import { bufferIo } from '../cli/command.ts';
import { PROJECT_ROOT } from './shared-data.ts';

export interface CliResult { code: number; out: string; err: string }

/**
 * `edgerule <args…>` in this process, in `cwd` (default: the project root), output captured. Commands resolve
 * relative paths against the working directory, so it is changed for the run and restored after; tests in one
 * file run one after another, so nothing else sees the change.
 */
export async function runCli(args: string[], cwd = PROJECT_ROOT): Promise<CliResult> {
  const io = bufferIo();
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(args, io);
    return { code, out: io.stdout, err: io.stderr };
  } finally {
    process.chdir(before);
  }
}

/** `node bin/edgerule.mjs <args…>` as a child process (smoke tests of the executable). */
export function spawnCli(args: string[], cwd = PROJECT_ROOT, env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/edgerule.mjs'), ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
