/**
 * A virtual device behind a real pseudo-terminal: socat makes the pty pair, this supervisor holds the device's
 * end open (serialport) and runs the device program in an engine child (node-engine.ts, xs-engine.ts), passing
 * serial bytes through its stdin/stdout. The user's end (`<folder>/tty`) stays put while the device restarts,
 * as a UART does; bytes sent while the device is down are lost, as on a UART.
 *
 * The device's folder holds device.json (identity), the two slot files and the records (pointer, event queue):
 * a killed and restarted device starts from what is there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { ptyPair, type PtyPair } from './pty.ts';
import { readLines, writeLine, type FromChild, type ToChild } from './control.ts';
import type { SampleColumns } from '../../simulator/trace/samples.ts';

export type DeviceEngine = 'node' | 'xs';

export interface DeviceOptions {
  dir: string;
  engine: DeviceEngine;
  /** Record writes in place instead of write-and-rename (file-store.ts). */
  tornRecords?: boolean;
  log?: (line: string) => void;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENGINE_FILE: Record<string, string> = { node: 'hil/virtual/node-engine.ts', xs: 'hil/virtual/xs-engine.ts' };

export class VirtualDevice {
  readonly port: string;
  private pty!: PtyPair;
  private line!: SerialPort;
  private child: ChildProcess | null = null;
  private stopping = false;
  private bootWaiters: Array<{ n: number; resolve: () => void }> = [];
  private writtenWaiters: Array<(n: number) => void> = [];
  /** Device-program starts seen (power cycles, resets, process restarts). */
  boots = 0;
  /** Power cuts reported by the engine (bytes written when each happened). */
  readonly cuts: number[] = [];
  /** Engine processes started. */
  processes = 0;
  engineName = '';

  private constructor(readonly o: DeviceOptions) {
    this.port = join(o.dir, 'tty');
  }

  static async start(o: DeviceOptions): Promise<VirtualDevice> {
    // Espruino: the agent runs there (test/link-engines.test.ts), but the Linux build's console and Serial-with-path
    // are not a usable binary line for a virtual device (docs/PROTOCOL.md, "Espruino")
    if (!ENGINE_FILE[o.engine]) throw new Error(`engine ${o.engine}: the virtual device runs on node or xs (the Linux build of Espruino has no binary-clean serial line to put it behind)`);
    const d = new VirtualDevice(o);
    d.pty = await ptyPair(d.port, join(o.dir, '.device-side'));
    d.line = await new Promise<SerialPort>((resolve, reject) => {
      const p = new SerialPort({ path: d.pty.b, baudRate: 115200, autoOpen: false });
      p.open((e) => (e ? reject(e) : resolve(p)));
    });
    d.line.on('data', (b: Buffer) => { if (d.child?.stdin?.writable) d.child.stdin.write(b); });
    d.spawn();
    await d.waitBoot(1);
    return d;
  }

  private spawn(): void {
    const child = spawn(process.execPath, ['--import', join(ROOT, 'cli/register-ts.mjs'), join(ROOT, ENGINE_FILE[this.o.engine]), this.o.dir], {
      cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit', 'pipe', 'pipe'], detached: true,
      env: { ...process.env, EDGERULE_TORN_RECORDS: this.o.tornRecords ? '1' : '0' },
    });
    this.child = child;
    this.processes++;
    // a killed child's pipes may report ECONNRESET/EPIPE: the exit handler below is what matters
    for (const io of child.stdio) (io as NodeJS.EventEmitter | null)?.on('error', () => {});
    child.stdout!.on('data', (b: Buffer) => { if (this.line.isOpen) this.line.write(b); });
    readLines<FromChild>(child.stdio[3] as NodeJS.ReadableStream as never, (m) => this.onMessage(m));
    child.on('exit', (code, sig) => {
      if (this.child === child) this.child = null;
      if (this.stopping) return;
      this.o.log?.(`device engine exited (${code ?? sig}); restarting it`);
      setTimeout(() => { if (!this.stopping) this.spawn(); }, 50);
    });
  }

  private onMessage(m: FromChild): void {
    if (m.booted !== undefined) {
      this.boots++;
      this.engineName = m.engine ?? this.engineName;
      for (const w of this.bootWaiters.filter((x) => this.boots >= x.n)) w.resolve();
      this.bootWaiters = this.bootWaiters.filter((x) => this.boots < x.n);
    }
    if (m.cut !== undefined) this.cuts.push(m.cut);
    if (m.written !== undefined) for (const w of this.writtenWaiters.splice(0)) w(m.written);
    if (m.log) this.o.log?.(m.log);
  }

  private send(m: ToChild): void {
    const ctl = this.child?.stdio[3];
    if (ctl) writeLine(ctl as NodeJS.WritableStream as never, m);
  }

  /** Resolves once the device program has started n times in all. */
  waitBoot(n = this.boots + 1, timeoutMs = 60000): Promise<void> {
    if (this.boots >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the virtual device did not start (start ${n}) within ${timeoutMs} ms`)), timeoutMs);
      this.bootWaiters.push({ n, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  /**
   * The device's sensors read samples[from…to) (whole time groups), in batches of about `batch` samples; with
   * `speed` (×real time) the batches are paced by the samples' times, else sent at once. Samples sent while the
   * device is off, or runs no bundle, are lost. Resolves when the last batch has been handed to the device.
   */
  async sensors(s: SampleColumns, from = 0, to = s.length, o: { batch?: number; speed?: number } = {}): Promise<void> {
    const batch = o.batch ?? 256;
    const t0 = s.t[from];
    const wall0 = performance.now();
    for (let i = from; i < to; ) {
      let j = Math.min(to, i + batch);
      while (j < to && s.t[j] === s.t[j - 1]) j++;
      if (o.speed) {
        const wait = (s.t[i] - t0) / o.speed - (performance.now() - wall0);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const b = Buffer.alloc(4 + (j - i) * 17);
      b.writeUInt32LE(j - i, 0);
      for (let k = i; k < j; k++) {
        const at = 4 + (k - i) * 17;
        b.writeDoubleLE(s.t[k], at);
        b[at + 8] = s.sig[k];
        b.writeDoubleLE(s.value[k], at + 9);
      }
      const pipe = this.child?.stdio[4] as NodeJS.WritableStream | undefined;
      if (pipe && !pipe.write(b)) await new Promise((r) => pipe.once('drain', r));
      i = j;
    }
  }

  /** Bytes of storage the device has written since its engine process started. */
  written(): Promise<number> {
    return new Promise((resolve) => {
      this.writtenWaiters.push(resolve);
      this.send({ written: true });
    });
  }

  /** Cuts the power after n more bytes of storage writes. */
  cutAfter(n: number): void {
    this.send({ cut: n });
  }

  /** Power-cycles the device program (in its engine process). */
  reboot(): void {
    this.send({ reboot: true });
  }

  /** Kills the engine process (SIGKILL to its group); the supervisor starts it again. */
  kill(): void {
    if (this.child?.pid) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.kill();
    await new Promise<void>((r) => (this.line.isOpen ? this.line.close(() => r()) : r()));
    this.pty.close();
  }
}
