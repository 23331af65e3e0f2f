/**
 * The virtual device's storage: the link's LinkStore (runtime/link/store.ts) on files in the device's folder,
 * as a Node host would keep it: slot0.bin, slot1.bin and one file per record under rec/.
 *
 * Records are replaced by writing a temporary file and renaming it (atomic on Linux). `tornRecords` instead
 * rewrites them in place, like a flash key-value store that is not atomic, so tests can show the slot pointer
 * needs no atomic record write.
 *
 * Power cuts: `cutAfter` bytes of writes (a rename counts as one byte), the write in progress stops at that byte
 * and `onCut` runs (the virtual device kills itself there: a power cut at exactly that byte of storage).
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LinkStore } from '../../runtime/link/store.ts';

export interface FileStoreOptions {
  tornRecords?: boolean;
  cutAfter?: number;
  onCut?: () => never;
}

export class FileStore implements LinkStore {
  private budget: number;
  /** Bytes written so far (renames count one). */
  written = 0;

  constructor(readonly dir: string, private readonly o: FileStoreOptions = {}) {
    mkdirSync(join(dir, 'rec'), { recursive: true });
    this.budget = o.cutAfter ?? Infinity;
  }

  /** Power is cut after n more bytes of writes (Infinity: never). */
  setCut(n: number): void {
    this.budget = n;
  }

  slotPath(slot: number): string {
    return join(this.dir, `slot${slot}.bin`);
  }

  private recPath(key: string): string {
    if (!/^[a-z0-9]{1,16}$/.test(key)) throw new Error(`record key '${key}' is not 1…16 lower-case letters and digits`);
    return join(this.dir, 'rec', key);
  }

  /** Takes n bytes of the power budget; returns how many may be written before the cut. */
  private take(n: number): number {
    const ok = Math.min(n, this.budget);
    this.budget -= ok;
    this.written += ok;
    return ok;
  }

  private cut(): never {
    if (this.o.onCut) this.o.onCut();
    throw new Error('power cut');
  }

  /** Writes bytes at position `at` of file `path` (created when missing), honouring the power budget. */
  private writeFile(path: string, at: number, bytes: Uint8Array, flags: string): void {
    const ok = this.take(bytes.length);
    const fd = openSync(path, flags);
    try {
      if (ok > 0) writeSync(fd, bytes, 0, ok, at);
    } finally {
      closeSync(fd);
    }
    if (ok < bytes.length) this.cut();
  }

  create(slot: number, size: number, head: Uint8Array): boolean {
    const file = new Uint8Array(size).fill(0xff);
    file.set(head.subarray(0, Math.min(head.length, size)));
    this.writeFile(this.slotPath(slot), 0, file, 'w');
    return true;
  }

  write(slot: number, at: number, buf: Uint8Array, start: number, len: number): boolean {
    const path = this.slotPath(slot);
    if (!existsSync(path)) return false;
    this.writeFile(path, at, buf.subarray(start, start + len), 'r+');
    return true;
  }

  read(slot: number): Uint8Array | null {
    const path = this.slotPath(slot);
    return existsSync(path) ? new Uint8Array(readFileSync(path)) : null;
  }

  get(key: string): Uint8Array | null {
    const path = this.recPath(key);
    return existsSync(path) ? new Uint8Array(readFileSync(path)) : null;
  }

  put(key: string, bytes: Uint8Array): boolean {
    const path = this.recPath(key);
    if (bytes.length === 0) {
      if (this.take(1) < 1) this.cut();
      if (existsSync(path)) unlinkSync(path);
      return true;
    }
    if (this.o.tornRecords) {
      this.writeFile(path, 0, bytes, 'w');
      return true;
    }
    this.writeFile(path + '.tmp', 0, bytes, 'w');
    if (this.take(1) < 1) this.cut();
    renameSync(path + '.tmp', path);
    return true;
  }
}
