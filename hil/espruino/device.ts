/**
 * The Espruino host in the Linux build of Espruino, as a test rig and a virtual device (docs/HOSTS.md,
 * "The Linux build as a test rig"). The device folder holds the build's flash file (espruino.flash: the Storage
 * files of `build-runtime --target espruino`, the rig's stand-ins er.rig.js and the identity er.id) and the
 * pseudo-terminals: `tty` (the link, the board's Serial1), `gnss` (the receiver's UART, Serial2) and `modem`
 * (Serial3), each a socat pair whose other end the board opens by path. The process runs interactively, so
 * Espruino itself runs the boot file from Storage at every start; its console (stdin) is the test's control line:
 * R.go(id, operations) (hil/espruino/rig.js), answered by "<<er …>>" lines on stdout.
 *
 * What made the Linux build usable behind a pty (measured; docs/HOSTS.md): its input thread treats a stdin at
 * end-of-file as an endless stream of zero bytes, which fills half the 1 KB event FIFO with console events, after
 * which it stops reading the UARTs ("FIFO_FULL"); a stdin that stays open (a pipe) leaves the FIFO free, and a
 * timer keeps the main loop polling. Killed (power cut) or quit (RESET, a rig power cut), it is started again
 * from the same folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ptyPair, type PtyPair } from '../virtual/pty.ts';
import { espruinoFiles } from '../../firmware/espruino.ts';
import { deviceConfig, type BoardFile } from '../../firmware/board-config.ts';
import { findProfile } from '../../firmware/build.ts';
import type { HostIdentity } from '../../runtime/host/config.ts';
import { TEST_INJECT_BUFFER } from '../../runtime/link/constants.ts';

export interface EspruinoDeviceOptions {
  dir: string;
  /** The Linux build (default: env ESPRUINO). */
  bin?: string;
  identity: HostIdentity;
  profile?: string;
  /** 'virtual': the test advances the clock (R.go ["t", T]); 'real': Date.now(). */
  clock: 'virtual' | 'real';
  /** Virtual clock at start (ms since 1970). */
  start?: number;
  /** Sensors and inputs wired on the rig's board (link, GNSS UART paths are the rig's own). */
  board?: BoardFile;
  /** Code from RAM instead of Storage (faster on the Linux build, whose flash reads go through a file). */
  ram?: boolean;
  /**
   * Sample buffer for injected runs (`edgerule hil`): a virtual device is a test device, so TEST_INJECT_BUFFER unless
   * given (0 turns injection off). A real board's configuration leaves it out (docs/HIL.md).
   */
  injectBuffer?: number;
  log?: (line: string) => void;
}

const RIG_FILE = fileURLToPath(new URL('./rig.js', import.meta.url));
const STORAGE_CHUNK = 12 * 1024;

/** The Linux build named by env ESPRUINO, or why there is none. */
export function espruinoBinary(): { bin?: string; why?: string } {
  const env = process.env.ESPRUINO;
  if (!env) return { why: 'env ESPRUINO is not set (set it to a Linux host build of Espruino: ESPRUINO=/path/to/espruino)' };
  if (!existsSync(env)) return { why: `env ESPRUINO=${env} names no file` };
  return { bin: env };
}

/**
 * Writes files into the Storage of a fresh flash file in `dir` (one Espruino run per chunk; the run that writes a
 * file's last chunk prints its E.CRC32, checked here). Boot files go last: Espruino runs them at every start, also
 * of these one-shot runs, so none may exist before the other files are in.
 */
export function installStorage(bin: string, dir: string, files: Array<{ name: string; bytes: Uint8Array }>, chunk = STORAGE_CHUNK): void {
  rmSync(join(dir, 'espruino.flash'), { force: true });
  const script = join(dir, '.install.js');
  const run = (code: string, what: string) => {
    writeFileSync(script, code);
    const r = spawnSync(bin, [script], { cwd: dir, input: '', timeout: 60000, encoding: 'latin1' });
    const out = (r.stdout ?? '') + (r.stderr ?? '');
    if (r.status !== 0 || !out.includes('<<ok>>')) throw new Error(`espruino: installing ${what} failed:\n${out.slice(-2000)}`);
    return out;
  };
  const ordered = [...files.filter((f) => !f.name.startsWith('.boot')), ...files.filter((f) => f.name.startsWith('.boot'))];
  for (const f of ordered) {
    for (let off = 0; off < f.bytes.length; off += chunk) {
      const part = Buffer.from(f.bytes.subarray(off, off + chunk)).toString('base64');
      const size = off === 0 ? `, ${f.bytes.length}` : '';
      const last = off + chunk >= f.bytes.length;
      const name = JSON.stringify(f.name);
      const out = run(`if (require("Storage").write(${name}, atob("${part}"), ${off}${size})) print(${last ? `"<<crc " + E.CRC32(require("Storage").read(${name})) + ">>" + ` : ''}"<<ok>>");\n`, `${f.name} at ${off}`);
      if (!last) continue;
      const have = Number(/<<crc (\d+)>>/.exec(out)?.[1]);
      if (have !== crcOf(f.bytes)) throw new Error(`espruino: ${f.name} reads back with CRC-32 ${have}, not ${crcOf(f.bytes)}`);
    }
  }
  rmSync(script, { force: true });
}

function crcOf(b: Uint8Array): number {
  let c = ~0;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

export class EspruinoDevice {
  readonly port: string;
  readonly gnssPort: string;
  readonly modemPort: string;
  private ptys: PtyPair[] = [];
  private child: ChildProcess | null = null;
  private stopping = false;
  private out = '';
  private waiters: Array<{ match: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  private nextOp = 1;
  boots = 0;
  processes = 0;
  readonly cuts: number[] = [];
  engineName = 'espruino';

  private constructor(readonly o: EspruinoDeviceOptions, readonly bin: string) {
    this.port = join(o.dir, 'tty');
    this.gnssPort = join(o.dir, 'gnss');
    this.modemPort = join(o.dir, 'modem');
  }

  static async start(o: EspruinoDeviceOptions): Promise<EspruinoDevice> {
    const bin = o.bin ?? espruinoBinary().bin;
    if (!bin) throw new Error(espruinoBinary().why);
    mkdirSync(o.dir, { recursive: true });
    const d = new EspruinoDevice({ ...o, dir: resolve(o.dir) }, bin);
    const dir = d.o.dir;
    d.ptys.push(await ptyPair(d.port, join(dir, '.link-device')));
    d.ptys.push(await ptyPair(d.gnssPort, join(dir, '.gnss-device')));
    d.ptys.push(await ptyPair(d.modemPort, join(dir, '.modem-device')));
    if (!existsSync(join(dir, 'espruino.flash'))) await d.install();
    d.spawn();
    await d.waitBoot(1);
    return d;
  }

  /** The build for the rig's board, the rig file and the identity, into a fresh flash file. */
  private async install(): Promise<void> {
    const dir = this.o.dir;
    const board: BoardFile = {
      ...this.o.board,
      link: { uart: 'Serial1', baud: 115200, path: join(dir, '.link-device'), injectBuffer: this.o.injectBuffer ?? TEST_INJECT_BUFFER, ...this.o.board?.link },
      ...(this.o.board?.gnss ? { gnss: { uart: 'Serial2', baud: 9600, path: join(dir, '.gnss-device'), ...this.o.board.gnss } } : {}),
      ...(this.o.board?.modem ? { modem: { uart: 'Serial3', baud: 115200, path: join(dir, '.modem-device'), ...this.o.board.modem } } : {}),
      pre: ['er.rig.js'], rigClock: this.o.clock, rigStart: this.o.start ?? 0, ram: this.o.ram ?? false, keepCode: !(this.o.ram ?? false),
    };
    const cfg = deviceConfig(board, await findProfile(this.o.profile), 'the rig board');
    const all = await espruinoFiles(cfg);
    const files = all.filter((f) => f.name !== '.boot0');
    const boot = all.find((f) => f.name === '.boot0')!;
    const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
    installStorage(this.bin, dir, [
      ...files,
      { name: 'er.rig.js', bytes: enc(readFileSync(RIG_FILE, 'latin1')) },
      { name: 'er.id', bytes: enc(JSON.stringify(this.o.identity)) },
      boot,
    ]);
  }

  private spawn(): void {
    const child = spawn(this.bin, [], { cwd: this.o.dir, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.child = child;
    this.processes++;
    for (const s of [child.stdin, child.stdout, child.stderr]) s?.on('error', () => {});
    child.stdout!.setEncoding('latin1');
    child.stdout!.on('data', (s: string) => this.onOutput(s));
    child.stderr!.on('data', (b: Buffer) => this.o.log?.(`espruino stderr: ${b.toString().trim()}`));
    child.on('exit', (code, sig) => {
      if (this.child === child) this.child = null;
      if (this.stopping) return;
      this.o.log?.(`espruino exited (${code ?? sig}); starting it again`);
      setTimeout(() => { if (!this.stopping) this.spawn(); }, 20);
    });
  }

  private onOutput(s: string): void {
    this.out += s;
    for (let m = /<<er ([a-z]+)(?: ([^>]*))?>>/.exec(this.out); m; m = /<<er ([a-z]+)(?: ([^>]*))?>>/.exec(this.out)) {
      this.out = this.out.slice(m.index + m[0].length);
      if (m[1] === 'booted') {
        if (m[2] !== 'ok') this.o.log?.('espruino: the host did not start');
        this.boots++;
      }
      if (m[1] === 'cut') this.cuts.push(Number(m[2]));
      for (const w of this.waiters.filter((x) => x.match.test(m![0]))) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
    const text = this.out.replace(/<<er[^>]*$/, '');
    if (/edgerule: not started|Uncaught|New interpreter error|Storage is corrupt/.test(text)) this.o.log?.(`espruino: ${text.trim()}`);
    if (this.out.length > 4096) this.out = this.out.slice(-256);
  }

  private wait(match: RegExp, what: string, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((res, rej) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        rej(new Error(`espruino: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (m: RegExpMatchArray) => { clearTimeout(timer); res(m); };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** Resolves once the host has started n times in all. */
  async waitBoot(n = this.boots + 1, timeoutMs = 120000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.boots < n) {
      await this.wait(/<<er booted/, `start of the host (start ${n})`, Math.max(1, deadline - Date.now()));
    }
  }

  /** Runs rig operations in order (hil/espruino/rig.js); resolves when the device has done them all. */
  async go(ops: unknown[], timeoutMs = 120000): Promise<void> {
    const id = String(this.nextOp++);
    const done = this.wait(new RegExp(`<<er ok ${id}>>`), `answer to operations ${id}`, timeoutMs);
    this.child?.stdin?.write(`\x10R.go(${JSON.stringify(id)},${JSON.stringify(ops)})\n`);
    await done;
  }

  /** Samples straight into the host's sink, each with its own time (rig operation "i"), then evaluated. */
  async inject(samples: Array<{ t: number; sig: number; value: number }>, timeoutMs?: number): Promise<void> {
    const b = Buffer.alloc(samples.length * 17);
    samples.forEach((x, i) => {
      b.writeDoubleLE(x.t, i * 17);
      b.writeUInt8(x.sig, i * 17 + 8);
      b.writeDoubleLE(x.value, i * 17 + 9);
    });
    await this.go([['i', b.toString('base64')]], timeoutMs);
  }

  /** The rig's and the host's statistics. */
  async stats(): Promise<Record<string, unknown>> {
    const got = this.wait(/<<er stats/, 'statistics', 30000);
    this.child?.stdin?.write(`\x10R.go("s",[["s"]])\n`);
    return JSON.parse((await got)[2]) as Record<string, unknown>;
  }

  /** SIGKILL of the Espruino process (a power cut between two flash writes); it is started again. */
  kill(): void {
    if (this.child?.pid) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  reboot(): void {
    this.kill();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.kill();
    for (const p of this.ptys) p.close();
  }
}
