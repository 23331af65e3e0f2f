/**
 * The link's storage (runtime/link/store.ts) as every device host builds it: the two bundle slots in whatever
 * the platform offers for large write-once files (Espruino Storage files, Moddable Flash partitions, files on
 * Node), and the small records — slot pointer, event writer state, event queue — in the record log
 * (record-log.ts), so that each record write is all-or-nothing even where the platform's writes are not.
 * `prefs` optionally keeps some records elsewhere (Moddable: the slot pointer in Preference).
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import type { LinkStore } from '../link/store.ts';
import { openLog, logGet, logPut, type Region, type RecordLog } from './record-log.ts';

/** Slot files: create once, write each byte once, read whole (runtime/link/store.ts's first three calls). */
export interface SlotFiles {
  create(slot: number, size: number, head: Uint8Array): boolean;
  write(slot: number, at: number, buf: Uint8Array, start: number, len: number): boolean;
  read(slot: number): Uint8Array | null;
}

/** Small records kept outside the log, by key (each get/put all-or-nothing on its own). */
export interface Prefs {
  keys: string[];
  get(key: string): Uint8Array | null;
  put(key: string, bytes: Uint8Array): boolean;
}

export interface HostStore extends LinkStore {
  log: RecordLog;
}

export function hostStore(slots: SlotFiles, r0: Region, r1: Region, prefs: Prefs | null): HostStore {
  var log = openLog(r0, r1);
  function pref(key: string): boolean {
    var i;
    if (!prefs) return false;
    for (i = 0; i < prefs.keys.length; i++) if (prefs.keys[i] === key) return true;
    return false;
  }
  return {
    log: log,
    create: function (slot: number, size: number, head: Uint8Array) { return slots.create(slot, size, head); },
    write: function (slot: number, at: number, buf: Uint8Array, start: number, len: number) { return slots.write(slot, at, buf, start, len); },
    read: function (slot: number) { return slots.read(slot); },
    get: function (key: string) { return prefs && pref(key) ? prefs.get(key) : logGet(log, key); },
    put: function (key: string, bytes: Uint8Array) { return prefs && pref(key) ? prefs.put(key, bytes) : logPut(log, key, bytes); },
  };
}
