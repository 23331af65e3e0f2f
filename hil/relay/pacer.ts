/**
 * Paces one direction of a line to a baud rate: a pseudo-terminal moves bytes as fast as the processes do, a
 * UART at 10 bits per byte (8N1: 115200 baud = 11,520 bytes/s). Bytes queue here and leave in small bursts
 * whose size follows the real elapsed time, so the long-run rate is the line's rate whatever the timer jitter.
 */
export class Pacer {
  private queue: Uint8Array[] = [];
  private queued = 0;
  private credit = 0;
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Bytes per second (Infinity: no pacing). */
  rate: number;

  constructor(baud: number, private readonly out: (b: Uint8Array) => void) {
    this.rate = baud > 0 ? baud / 10 : Infinity;
  }

  get pending(): number {
    return this.queued;
  }

  push(b: Uint8Array): void {
    if (!b.length) return;
    if (this.rate === Infinity) {
      this.out(b);
      return;
    }
    this.queue.push(b);
    this.queued += b.length;
    if (!this.timer) {
      this.last = performance.now();
      this.credit = 0;
      this.tick();
    }
  }

  /** Drops everything queued (the line was cut). */
  clear(): void {
    this.queue = [];
    this.queued = 0;
  }

  private tick(): void {
    const t = performance.now();
    this.credit = Math.min(this.credit + ((t - this.last) * this.rate) / 1000, Math.max(64, this.rate / 50));
    this.last = t;
    let n = Math.floor(this.credit);
    const parts: Uint8Array[] = [];
    while (n > 0 && this.queue.length) {
      const head = this.queue[0];
      if (head.length <= n) {
        parts.push(head);
        this.queue.shift();
        n -= head.length;
      } else {
        parts.push(head.subarray(0, n));
        this.queue[0] = head.subarray(n);
        n = 0;
      }
    }
    const sent = parts.reduce((s, p) => s + p.length, 0);
    this.credit -= sent;
    this.queued -= sent;
    if (sent) this.out(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    this.timer = this.queued > 0 ? setTimeout(() => this.tick(), 2) : undefined;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
