/**
 * A byte-mangling relay between a serial port (the device's) and a new pseudo-terminal it makes for the host:
 * each direction is paced to a baud rate and mangled by seeded faults (mangle.ts), and the link can be cut —
 * every byte in both directions lost — for a while, or after a given number of bytes towards the device. The
 * HIL harness and the link's fault tests put it between host and device.
 *
 *   const r = await Relay.start({ device: '/dev/ttyUSB0', port: 'relay-tty', baud: 115200, faults: { flip: 1e-4, drop: 0, dup: 0 }, seed: 1 });
 *   // the host opens r.port; r.cut(2000) loses everything for 2 s; r.counts says what happened
 */
import { SerialPort } from 'serialport';
import { ptyPair, type PtyPair } from '../virtual/pty.ts';
import { mangler, NO_FAULTS, type Faults, type MangleCounts } from './mangle.ts';
import { Pacer } from './pacer.ts';

export interface RelayOptions {
  /** The device's serial port. */
  device: string;
  /** Path of the pty the relay makes for the host (a symlink). */
  port: string;
  /** Line rate to pace both directions to (0: no pacing). */
  baud?: number;
  faults?: Faults;
  seed?: number;
  /** Cut the link once this many bytes have gone towards the device, for cutMs (Infinity: until uncut()). */
  cutAfter?: number;
  cutMs?: number;
}

export interface RelayCounts {
  toDevice: MangleCounts;
  toHost: MangleCounts;
  /** Bytes lost while the link was cut. */
  cutBytes: number;
  cuts: number;
}

const counts = (): MangleCounts => ({ bytes: 0, flipped: 0, dropped: 0, duplicated: 0 });

function open(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const p = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    p.open((e) => (e ? reject(new Error(`relay: cannot open ${path}: ${e.message}`)) : resolve(p)));
  });
}

export class Relay {
  readonly counts: RelayCounts = { toDevice: counts(), toHost: counts(), cutBytes: 0, cuts: 0 };
  faults: Faults;
  private cutUntil = 0;
  private pty!: PtyPair;
  private dev!: SerialPort;
  private host!: SerialPort;
  private toDevice!: Pacer;
  private toHost!: Pacer;

  private constructor(readonly o: RelayOptions) {
    this.faults = o.faults ?? NO_FAULTS;
  }

  get port(): string {
    return this.o.port;
  }

  static async start(o: RelayOptions): Promise<Relay> {
    const r = new Relay(o);
    r.pty = await ptyPair(o.port, o.port + '.relay-side');
    r.dev = await open(o.device);
    r.host = await open(r.pty.b);
    const seed = o.seed ?? 1;
    r.toDevice = new Pacer(o.baud ?? 0, (b) => r.dev.isOpen && r.dev.write(b));
    r.toHost = new Pacer(o.baud ?? 0, (b) => r.host.isOpen && r.host.write(b));
    const down = mangler(seed, () => r.faults, r.counts.toDevice);
    const up = mangler((seed ^ 0x9e3779b9) >>> 0, () => r.faults, r.counts.toHost);
    r.host.on('data', (b: Buffer) => r.pass(b, down, r.toDevice, true));
    r.dev.on('data', (b: Buffer) => r.pass(b, up, r.toHost, false));
    return r;
  }

  private pass(b: Uint8Array, mangle: (b: Uint8Array) => Uint8Array, out: Pacer, toDevice: boolean): void {
    const o = this.o;
    if (toDevice && o.cutAfter !== undefined && this.counts.toDevice.bytes + b.length > o.cutAfter && this.counts.cuts === 0) {
      const keep = Math.max(0, o.cutAfter - this.counts.toDevice.bytes);
      out.push(mangle(b.subarray(0, keep)));
      this.cut(o.cutMs ?? Infinity);
      this.counts.cutBytes += b.length - keep;
      this.counts.toDevice.bytes += b.length - keep;
      return;
    }
    if (performance.now() < this.cutUntil) {
      this.counts.cutBytes += b.length;
      if (toDevice) this.counts.toDevice.bytes += b.length;
      else this.counts.toHost.bytes += b.length;
      return;
    }
    out.push(mangle(b));
  }

  /** Loses every byte in both directions for ms milliseconds (Infinity: until uncut()); what is queued is lost too. */
  cut(ms: number): void {
    this.cutUntil = performance.now() + ms;
    this.counts.cuts++;
    this.counts.cutBytes += this.toDevice.pending + this.toHost.pending;
    this.toDevice.clear();
    this.toHost.clear();
  }

  uncut(): void {
    this.cutUntil = 0;
  }

  async stop(): Promise<void> {
    this.toDevice.stop();
    this.toHost.stop();
    for (const p of [this.dev, this.host]) await new Promise<void>((r) => (p.isOpen ? p.close(() => r()) : r()));
    this.pty.close();
  }
}
