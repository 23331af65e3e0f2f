/**
 * A pseudo-terminal pair made by Debian's `socat`: two paths (symlinks to /dev/pts/N) whose bytes cross over.
 * One end is the virtual device's serial port as a user sees it; the other is the device's side of the line.
 * socat is killed with its process group when the pair is closed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

export interface PtyPair { a: string; b: string; close(): void; process: ChildProcess }

/** Starts socat for links `a` and `b` and waits until both exist (the error names socat's complaint). */
export async function ptyPair(a: string, b: string, waitMs = 10000): Promise<PtyPair> {
  for (const p of [a, b]) if (existsSync(p)) rmSync(p, { force: true });
  let err = '';
  let exited: string | null = null;
  const proc = spawn('socat', [`PTY,link=${a},rawer,echo=0`, `PTY,link=${b},rawer,echo=0`], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  proc.on('error', (e) => { exited = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'socat is not installed (Debian package socat)' : e.message; });
  proc.on('exit', (code, sig) => { exited ??= `socat exited (${code ?? sig}): ${err.trim()}`; });
  const deadline = Date.now() + waitMs;
  while (!(existsSync(a) && existsSync(b))) {
    if (exited) throw new Error(exited);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`socat did not create ${a} and ${b} within ${waitMs} ms: ${err.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    a, b, process: proc,
    close() {
      try {
        process.kill(-proc.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}
