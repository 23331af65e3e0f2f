/**
 * `edgerule install-runtime --target espruino`: puts the Espruino build (firmware/espruino.ts) into a board's
 * Storage over its REPL and checks every byte of it (docs/HOSTS.md, "Installing on an Espruino board"):
 *
 *   1. a prompt (firmware/espruino-repl.ts), echo off;
 *   2. what is there already: each file's size and E.CRC32; files that match are left alone;
 *   3. the boot file is erased first, so a board that loses power mid-install boots to a plain REPL;
 *   4. each differing file is written in chunks; the board answers each chunk with the E.CRC32 of what it now
 *      holds there, and a chunk that reads back wrong restarts the file (flash bytes cannot be rewritten in
 *      place); the whole file's E.CRC32 is checked at the end, and a file is tried three times at most;
 *   5. the identity (er.id) when one is given, then the boot file, last;
 *   6. `load()`: the board restarts into the boot file, which checks every file again and starts the host;
 *   7. HELLO on the device link (the same port, or the one given) confirms the agent runs.
 */
import type { Transport } from '../hil/link/transport.ts';
import { crc32 } from '../runtime/link/crc32.ts';
import { Repl, ReplError } from './espruino-repl.ts';
import type { StorageFile } from './espruino.ts';

export interface InstallOptions {
  /** Chunk of file bytes per command (sent as base64: 4/3 of it on the line). */
  chunk: number;
  timeoutMs: number;
  /** How long the boot file may take after load() before its verdict is read. */
  bootMs: number;
  log?: (line: string) => void;
}

export interface InstallResult {
  written: Array<{ name: string; bytes: number; tries: number }>;
  unchanged: string[];
  /** Chunks that read back wrong and were written again (with their file). */
  rewrites: number;
  boot: string;
}

const crcOf = (b: Uint8Array) => crc32(0, b, 0, b.length);
const q = JSON.stringify;

/** Writes one file in chunks, each read back by CRC-32; false when a chunk or the whole file reads back wrong. */
async function writeFile(r: Repl, f: StorageFile, chunk: number): Promise<boolean> {
  for (let off = 0; off < f.bytes.length || off === 0; off += chunk) {
    const part = f.bytes.subarray(off, off + chunk);
    const b64 = Buffer.from(part).toString('base64');
    const size = off === 0 ? `,${f.bytes.length}` : '';
    const ok = await r.eval(`require("Storage").write(${q(f.name)},atob(${q(b64)}),${off}${size})?E.CRC32(require("Storage").read(${q(f.name)},${off},${part.length})):"full"`);
    if (ok === 'full') throw new ReplError(`Storage refused ${f.name} at byte ${off} (full? ${await r.eval('require("Storage").getFree()')} bytes free)`);
    if (Number(ok) !== crcOf(part)) return false;
    if (f.bytes.length === 0) break;
  }
  return Number(await r.eval(`E.CRC32(require("Storage").read(${q(f.name)}))`)) === crcOf(f.bytes);
}

/** What the board holds under `name`: "size crc", or "none". */
function have(r: Repl, name: string): Promise<string> {
  return r.eval(`(function(f){return f===undefined?"none":f.length+" "+E.CRC32(f);})(require("Storage").read(${q(name)}))`);
}

export async function installEspruino(t: Transport, files: StorageFile[], o: InstallOptions): Promise<InstallResult> {
  const r = new Repl(t, { timeoutMs: o.timeoutMs, log: o.log });
  await r.prompt();
  if (!/^\d+$/.test(await r.eval('E.CRC32("abc")'))) throw new ReplError('this firmware has no E.CRC32 (a SAVE_ON_FLASH build): nothing could be checked');
  const res: InstallResult = { written: [], unchanged: [], rewrites: 0, boot: '' };
  const boot = files.filter((f) => f.name.startsWith('.boot'));
  const rest = files.filter((f) => !f.name.startsWith('.boot'));
  const todo: StorageFile[] = [];
  for (const f of rest) {
    if ((await have(r, f.name)) === `${f.bytes.length} ${crcOf(f.bytes)}`) res.unchanged.push(f.name);
    else todo.push(f);
  }
  for (const f of boot) if ((await have(r, f.name)) !== `${f.bytes.length} ${crcOf(f.bytes)}` || todo.length) todo.push(f);
  if (todo.length) {
    for (const f of boot) await r.eval(`require("Storage").erase(${q(f.name)}),"ok"`);
    const need = todo.reduce((n, f) => n + f.bytes.length + 32, 0);
    if (Number(await r.eval('require("Storage").getFree()')) < need) {
      o.log?.(`Storage has less than ${need} bytes free: compacting`);
      await r.eval('require("Storage").compact(),"ok"', Math.max(o.timeoutMs, 60000));
    }
  }
  for (const f of todo) {
    let tries = 1;
    o.log?.(`writing ${f.name} (${f.bytes.length} bytes)`);
    while (!(await writeFile(r, f, o.chunk))) {
      res.rewrites++;
      if (++tries > 3) throw new ReplError(`${f.name} read back wrong three times (E.CRC32 of a chunk or of the whole file): the line or the flash corrupts data`);
      o.log?.(`${f.name} read back wrong: writing it again (try ${tries} of 3)`);
    }
    res.written.push({ name: f.name, bytes: f.bytes.length, tries });
  }
  const out = await r.restart(o.bootMs);
  const verdict = /edgerule: not started: ([^\r\n]*)/.exec(out);
  res.boot = verdict ? `not started: ${verdict[1]}` : 'started';
  return res;
}
