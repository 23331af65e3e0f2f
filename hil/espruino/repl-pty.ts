/**
 * The Linux build of Espruino with its console (REPL) on a pseudo-terminal, as a board's console UART looks to
 * `edgerule install-runtime`: `socat PTY,link=<path> EXEC:<espruino>,pty` in the device's folder (its Storage is
 * that folder's espruino.flash). socat ends with the process group when closed.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface EspruinoRepl { port: string; close(): void }

export async function espruinoRepl(bin: string, dir: string, waitMs = 10000): Promise<EspruinoRepl> {
  const port = join(dir, 'console');
  rmSync(port, { force: true });
  let err = '';
  const p = spawn('socat', [`PTY,link=${port},rawer,echo=0`, `EXEC:${bin},pty,rawer,echo=0`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  p.stderr!.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-2000); });
  const deadline = Date.now() + waitMs;
  while (!existsSync(port)) {
    if (p.exitCode !== null || Date.now() > deadline) throw new Error(`socat did not put Espruino's console on ${port}: ${err.trim()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    close() {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
