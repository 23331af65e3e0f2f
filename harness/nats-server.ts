/**
 * A real nats-server (Debian's nats-server package, 2.9) on a free loopback port with a temporary JetStream
 * store, for the QA farm tests and the bench. Missing binary: undefined (callers skip loudly, or fail in CI).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServer { url: string; stop(): Promise<void> }

/** On PATH, or where Debian puts it (/usr/sbin is not on every user's PATH). */
export function natsServerBinary(): string | undefined {
  for (const bin of ['nats-server', '/usr/sbin/nats-server']) {
    if (spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0) return bin;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startNatsServer(): Promise<NatsServer | undefined> {
  const bin = natsServerBinary();
  if (!bin) return undefined;
  const store = mkdtempSync(join(tmpdir(), 'edgerule-nats-'));
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not report "Server is ready" within 30 s; its log:\n${log}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Server is ready')) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`nats-server exited with code ${code}:\n${log}`)); });
  });
  child.removeAllListeners('exit');
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(store, { recursive: true, force: true });
    },
  };
}
