/**
 * The retransmission timeout of the host's pipelined senders (UPLOAD in flash, INJECT in hil): the smoothed round
 * trip and its variation (RFC 6298's estimator, gains 1/8 and 1/4), measured only on replies to frames sent once
 * (Karn's rule: the caller decides), and doubled on every timeout up to the caller's limit.
 */
export class RetransmitTimer {
  private srtt = 0;
  private rttvar = 0;
  /** The current timeout, ms: `firstMs` until a round trip has been measured. */
  rto: number;

  /**
   * `maxMs` bounds the timeout: a device that takes seconds per frame (an interpreter decoding a full window, such as
   * the Espruino virtual device's) needs a limit above its round trip, or every frame is sent again while the first
   * copy is still being read. `firstMs` (default `maxMs`) is the timeout before any round trip is known.
   */
  constructor(private readonly maxMs: number, private readonly minMs: number, firstMs = maxMs) {
    this.rto = Math.min(maxMs, firstMs);
  }

  /** A round trip measured on the reply to a frame sent once. */
  sample(rtt: number): void {
    if (!this.srtt) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rtt);
      this.srtt = 0.875 * this.srtt + 0.125 * rtt;
    }
    // twice the smoothed round trip, not RFC 6298's once: on a paced line the round trip is nearly constant, and a
    // spurious go-back costs a whole window, while a real loss is usually found earlier by the next reply's gap
    this.rto = Math.min(this.maxMs, Math.max(this.minMs, 2 * this.srtt + 4 * this.rttvar));
  }

  /** No reply within the timeout: wait twice as long next time. */
  backOff(): void {
    this.rto = Math.min(this.maxMs, this.rto * 2);
  }
}
