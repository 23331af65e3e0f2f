/**
 * What the device link needs from the device's storage: two slot files written like flash (create once, then
 * write each byte once), and small named records. Small enough for Espruino `Storage`, Moddable `Flash` +
 * `Preference`, and files on Node (docs/PROTOCOL.md, "Device-side API").
 *
 * Nothing here may assume a write completed: a power cut can stop any write at any byte. The agent recovers
 * from whatever it finds (slot headers and pointer records carry their own CRC; progress marks are single bytes
 * written after the data they cover).
 */
export interface LinkStore {
  /** Replaces slot `slot` (0 or 1) by a new file of `size` bytes that starts with `head`; the rest reads 0xFF. */
  create(slot: number, size: number, head: Uint8Array): boolean;
  /**
   * Writes buf[start…start+len) at byte `at` of the slot file. The bytes there are 0xFF or already hold the same
   * values (a chunk resent after a power cut): both must succeed.
   */
  write(slot: number, at: number, buf: Uint8Array, start: number, len: number): boolean;
  /** The whole slot file (memory-mapped where the platform can), or null when there is none. */
  read(slot: number): Uint8Array | null;
  /** A small record (at most a few hundred bytes), or null. */
  get(key: string): Uint8Array | null;
  /** Replaces a small record; an empty array deletes it. */
  put(key: string, bytes: Uint8Array): boolean;
}
