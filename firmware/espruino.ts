/**
 * The Espruino build: the files that go into an Espruino board's Storage and the boot file that starts them
 * (docs/HOSTS.md, "Espruino"). `edgerule install-runtime` writes them; the Linux test rig (hil/espruino/)
 * writes them into its flash file.
 *
 *   <dir>/install.json   what to write, in order, with sizes and CRC-32s (format below)
 *   <dir>/storage/<name> the bytes of each Storage file, exactly as they go in
 *
 * Storage files: er.rt.js (runtime), er.sig.js (signing add-on), er.tab (ed25519 base table, 24,672 bytes, mapped
 * in place), er.link.js (device link), er.host.js (device host), er.board.js (Espruino board adapter), er.cfg (the
 * board configuration, JSON), and .boot0, which Espruino runs at every start: it checks each file's size and
 * E.CRC32 against the manifest written into it and loads them only if all match; otherwise it prints what is
 * damaged and leaves the REPL on the console. The per-device identity er.id ({device, trust, seed}, JSON) is the
 * installer's to write.
 */
import { crc32 } from '../runtime/link/crc32.ts';
import { buildBaseTable } from '../runtime/signing/crypto/edtable.ts';
import { minified } from './artifacts.ts';
import type { HostConfig } from '../runtime/host/config.ts';

export const INSTALL_FORMAT = 'edgerule-espruino/1';

export interface StorageFile {
  /** Storage name (≤ 28 characters). */
  name: string;
  /** What it is: code (evaluated in order by the boot file), data (read by the host), config. */
  kind: 'code' | 'data' | 'config' | 'boot';
  bytes: Uint8Array;
}

export interface InstallManifest {
  format: string;
  profile: string;
  /** In the order to write them; the boot file last, so a board is never left booting into missing files. */
  files: Array<{ name: string; kind: string; path: string; bytes: number; crc32: number }>;
  /** The per-device file the installer writes (not part of the build). */
  identity: { name: string; format: string };
  /** Files the host itself writes at run time (bundle slots, record log, translated rules). */
  written: string[];
}

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const crcOf = (b: Uint8Array) => crc32(0, b, 0, b.length);

/** The boot file: checks every file against the manifest, evaluates the code files, starts the host. */
export function bootFile(files: StorageFile[]): string {
  const manifest = files.map((f) => `[${JSON.stringify(f.name)},${f.bytes.length},${crcOf(f.bytes)},${f.kind === 'code' ? 1 : 0}]`).join(',');
  return `// edgerule boot file (edgerule build-runtime --target espruino): checks every file, then starts the device host
var _erS = require("Storage"), _erF = [${manifest}];
var _erC = _erS.readJSON("er.cfg", 1) || {}, _erU = null, _erQ = [], _erH = null, _erI, _erBad = "";
if (_erC.link && _erC.link.console) {
  _erU = global[_erC.link.uart];
  LoopbackA.setConsole(true);
  _erU.setup(_erC.link.baud || 9600, { flow: "none" });
  _erU.on("data", function (d) { _erQ.push(d); });
}
for (_erI = 0; _erI < _erF.length; _erI++) {
  var _erD = _erS.read(_erF[_erI][0]);
  if (_erD === undefined) _erBad += _erF[_erI][0] + " is missing; ";
  else if (_erD.length !== _erF[_erI][1]) _erBad += _erF[_erI][0] + " has " + _erD.length + " bytes, not " + _erF[_erI][1] + "; ";
  else if (E.CRC32 && E.CRC32(_erD) !== _erF[_erI][2]) _erBad += _erF[_erI][0] + " fails its CRC-32; ";
}
_erD = undefined;
if (!_erBad) {
  try {
    for (_erI = 0; _erI < _erF.length; _erI++) if (_erF[_erI][3]) eval(_erC.ram ? _erS.read(_erF[_erI][0]) + "" : _erS.read(_erF[_erI][0]));
    for (_erI = 0; _erC.pre && _erI < _erC.pre.length; _erI++) eval(_erS.read(_erC.pre[_erI]));
    if (_erU) _erU.removeAllListeners("data");
    _erH = EdgeRule.espruino(_erC, _erS.readJSON("er.id", 1), _erS, (function () { try { return require("crypto"); } catch (e) { return null; } })());
    if (_erH.fault) _erBad = _erH.fault;
  } catch (e) {
    _erBad = "" + e;
  }
}
if (_erBad) {
  if (_erU) { _erU.removeAllListeners("data"); _erU.setConsole(true); }
  print("edgerule: not started: " + _erBad + " The REPL stays on the console.");
} else {
  for (_erI = 0; _erI < _erQ.length; _erI++) { _erD = E.toUint8Array(_erQ[_erI]); _erH.link(_erD, 0, _erD.length, Date.now()); }
}
_erQ = undefined;
`;
}

/** The Storage files of an Espruino build, in the order they are written and loaded. */
export async function espruinoFiles(cfg: HostConfig & Record<string, unknown>): Promise<StorageFile[]> {
  const table = buildBaseTable();
  const files: StorageFile[] = [
    { name: 'er.rt.js', kind: 'code', bytes: enc(await minified('runtime')) },
    { name: 'er.sig.js', kind: 'code', bytes: enc(await minified('signing')) },
    { name: 'er.tab', kind: 'data', bytes: new Uint8Array(table.buffer, table.byteOffset, table.byteLength) },
    { name: 'er.link.js', kind: 'code', bytes: enc(await minified('link')) },
    { name: 'er.host.js', kind: 'code', bytes: enc(await minified('host')) },
    { name: 'er.board.js', kind: 'code', bytes: enc(await minified('espruino')) },
    { name: 'er.cfg', kind: 'config', bytes: enc(JSON.stringify(cfg)) },
  ];
  files.push({ name: '.boot0', kind: 'boot', bytes: enc(bootFile(files)) });
  return files;
}

export function installManifest(profile: string, files: StorageFile[]): InstallManifest {
  return {
    format: INSTALL_FORMAT,
    profile,
    files: files.map((f) => ({ name: f.name, kind: f.kind, path: `storage/${f.name}`, bytes: f.bytes.length, crc32: crcOf(f.bytes) })),
    identity: { name: 'er.id', format: 'JSON {"device": <uint32>, "trust": "<build public key, 64 hex>", "seed": "<event key seed, 64 hex>"}' },
    written: ['er.s0', 'er.s1', 'er.l0', 'er.l1', 'er.code'],
  };
}
