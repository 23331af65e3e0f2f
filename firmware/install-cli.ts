/** install-runtime's steps around the REPL install (firmware/install.ts): the files, the identity, the HELLO. */
import { EXIT } from '../cli/exit-codes.ts';
import { readKeyFile } from '../signing/keys.ts';
import { openSerial } from '../hil/link/transport.ts';
import { LinkSession } from '../hil/link/session.ts';
import { helloReady } from '../hil/link/hello.ts';
import { defaultBoardPath, deviceConfig, readBoard } from './board-config.ts';
import { findProfile } from './build.ts';
import { espruinoFiles, type StorageFile } from './espruino.ts';
import { installEspruino, type InstallResult } from './install.ts';
import { ReplError } from './espruino-repl.ts';

export interface InstallRequest {
  port: string;
  linkPort: string;
  board?: string;
  profile?: string;
  rules?: string;
  trust?: string;
  deviceKey?: string;
  device?: number;
  baud: number;
  chunk: number;
  timeoutMs: number;
  log?: (l: string) => void;
}

export interface InstallReport extends Partial<InstallResult> {
  ok: boolean;
  exitCode: number;
  verdict: string;
  hello?: { device: number; engine: string; profile: string };
}

/** er.id: the device id, the build key it trusts and its event key seed, as hex (runtime/host/config.ts). */
function identityFile(r: InstallRequest): StorageFile | undefined {
  if (!r.trust && !r.deviceKey && r.device === undefined) return undefined;
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const dk = r.deviceKey ? readKeyFile(r.deviceKey) : undefined;
  if (dk && dk.role !== 'device') throw new Error(`${r.deviceKey} is a ${dk.role} key; expected a device key`);
  const tk = r.trust ? readKeyFile(r.trust) : undefined;
  if (tk && tk.role !== 'build') throw new Error(`${r.trust} is a ${tk.role} key; expected a build key`);
  const id = { device: dk?.device ?? r.device ?? 0, ...(tk ? { trust: hex(tk.publicKey) } : {}), ...(dk?.seed ? { seed: hex(dk.seed) } : {}) };
  return { name: 'er.id', kind: 'config', bytes: new Uint8Array(Buffer.from(JSON.stringify(id))) };
}

export async function installWithHello(r: InstallRequest): Promise<InstallReport> {
  const boardPath = r.board ?? defaultBoardPath('espruino');
  const profile = await findProfile(r.profile, r.rules);
  const files = await espruinoFiles(deviceConfig(readBoard(boardPath), profile, boardPath));
  const id = identityFile(r);
  if (id) files.splice(files.length - 1, 0, id);
  let res: InstallResult;
  const t = await openSerial(r.port, r.baud, 10000);
  try {
    res = await installEspruino(t, files, { chunk: r.chunk, timeoutMs: r.timeoutMs, bootMs: Math.max(3000, r.timeoutMs), log: r.log });
  } catch (e) {
    if (!(e instanceof ReplError)) throw e;
    const quiet = /^no /.test(e.message);
    return { ok: false, exitCode: quiet ? EXIT.CANNOT_CHECK : EXIT.CHECK_FAILED, verdict: `FAILED: ${e.message}` };
  } finally {
    await t.close();
  }
  const summary = `${res.written.length} file(s) written (${res.written.reduce((n, f) => n + f.bytes, 0)} bytes, ${res.rewrites} rewritten after a bad read-back), ${res.unchanged.length} already intact`;
  if (res.boot !== 'started') return { ...res, ok: false, exitCode: EXIT.CHECK_FAILED, verdict: `FAILED: ${summary}; the boot file did not start the host: ${res.boot}` };
  const link = await openSerial(r.linkPort, r.baud, 10000);
  try {
    const h = await helloReady(new LinkSession(link, { timeoutMs: Math.max(2000, r.timeoutMs), tries: 10 }), false);
    return { ...res, ok: true, exitCode: EXIT.OK, verdict: `OK: ${summary}; the device agent answers HELLO on ${r.linkPort} (device ${h.device}, ${h.engine}, profile ${h.profile})`, hello: { device: h.device, engine: h.engine, profile: h.profile } };
  } catch (e) {
    return { ...res, ok: false, exitCode: EXIT.CANNOT_CHECK, verdict: `FAILED: ${summary}; no HELLO from the device agent on ${r.linkPort}: ${(e as Error).message}` };
  } finally {
    await link.close();
  }
}
