/**
 * A serial port as the link sees it: bytes in, bytes out, and a close that says why. Opening retries until a
 * deadline, because a USB serial port vanishes while its device restarts and a virtual device's pty appears
 * only once it runs. A pseudo-terminal has no line rate: `baud` only matters on real UARTs.
 */
import { SerialPort } from 'serialport';

export interface Transport {
  readonly path: string;
  readonly isOpen: boolean;
  write(bytes: Uint8Array): void;
  /** Resolves when everything written so far has left this process. */
  drain(): Promise<void>;
  onData(cb: (bytes: Uint8Array) => void): void;
  onClose(cb: (why: string) => void): void;
  close(): Promise<void>;
}

export class LinkClosed extends Error {}

class SerialTransport implements Transport {
  private dataCb: (b: Uint8Array) => void = () => {};
  private closeCb: (why: string) => void = () => {};
  private closing = false;

  constructor(readonly path: string, private readonly port: SerialPort) {
    port.on('data', (b: Buffer) => this.dataCb(new Uint8Array(b.buffer, b.byteOffset, b.length)));
    port.on('close', (e?: Error | null) => this.closeCb(this.closing ? 'closed' : `port ${path} closed${e ? `: ${e.message}` : ''}`));
    port.on('error', (e: Error) => this.closeCb(`port ${path}: ${e.message}`));
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  write(bytes: Uint8Array): void {
    if (this.port.isOpen) this.port.write(Buffer.from(bytes));
  }

  drain(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.drain(() => resolve()) : resolve()));
  }

  onData(cb: (bytes: Uint8Array) => void): void {
    this.dataCb = cb;
  }

  onClose(cb: (why: string) => void): void {
    this.closeCb = cb;
  }

  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
}

function openOnce(path: string, baud: number): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: baud, autoOpen: false });
    port.open((e) => (e ? reject(e) : resolve(port)));
  });
}

/** Opens `path`, retrying every 100 ms until `waitMs` has passed; the error names the port and the last reason. */
export async function openSerial(path: string, baud: number, waitMs = 0): Promise<Transport> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return new SerialTransport(path, await openOnce(path, baud));
    } catch (e) {
      if (Date.now() >= deadline) throw new LinkClosed(`cannot open ${path}: ${(e as Error).message}${waitMs ? ` (tried for ${waitMs} ms)` : ''}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * The same port for a part that closes what it opened (flash): its close() leaves the port open, so the caller
 * keeps reading through it (nothing the device says is lost between the parts).
 */
export function borrowed(t: Transport): Transport {
  return {
    get path() { return t.path; },
    get isOpen() { return t.isOpen; },
    write: (b) => t.write(b),
    drain: () => t.drain(),
    onData: (cb) => t.onData(cb),
    onClose: (cb) => t.onClose(cb),
    close: () => Promise.resolve(),
  };
}
