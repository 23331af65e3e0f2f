/**
 * Host side of the authenticated factory reset (docs/PROVISIONING.md): FACTORY_RESET, signed with the trust
 * anchor's secret key over a statement naming the device and the event key it has now, erases the device's
 * identity and secrets so `edgerule provision` works on it afresh; the registry moves the device to `retired`.
 * Event records no host has acknowledged are not erased unless asked (--discard-events): the device answers UNSENT.
 */
import { randomBytes } from 'node:crypto';
import * as C from '../../runtime/link/constants.ts';
import { resetStatement } from '../../runtime/link/statements.ts';
import { status } from './session.ts';
import type { HelloInfo } from './hello.ts';
import { statusText } from './names.ts';
import { signBytes } from '../../signing/ed.ts';
import { keyId, type KeyFile } from '../../signing/keys.ts';
import { readRegistry, findDevice, updateRegistry, retireDevice } from '../../signing/registry.ts';
import { ask, withDevice, map, statement, ProvisionRefused, type LinkOptions } from './provision.ts';

export interface FactoryResetResult { ok: true; device: number; discarded: number; already: boolean; registry: string; retired: boolean; verdict: string }

/** What the HELLO says before anything is sent: a reset the device already did, or why none can be asked for. */
function before(h: HelloInfo, device: number, anchorKey: KeyFile, port: string): 'already' | undefined {
  if (h.anchorVersion === undefined && h.keyId) throw new ProvisionRefused(`device ${h.device} was not provisioned over the link (its keys came with it at the factory): the link cannot reset it`);
  if (h.anchorVersion === undefined) {
    if (h.resetFrom === device) return 'already';
    throw new ProvisionRefused(`the device on ${port} is not provisioned${h.resetFrom !== undefined ? ` (a factory reset erased device ${h.resetFrom})` : ''}: there is no device ${device} on it to reset`);
  }
  if (h.device !== device) throw new ProvisionRefused(`the device on ${port} is device ${h.device}, not ${device}: --device names the device to erase`);
  if (h.keyId !== keyId(anchorKey.publicKey)) throw new ProvisionRefused(`device ${device} trusts anchor key id ${h.keyId}, not ${keyId(anchorKey.publicKey)}: the command would not verify (--signed-by the current anchor)`);
  if (!h.eventKey) throw new ProvisionRefused(`device ${device} announces no event key: nothing a reset statement could name`);
  return undefined;
}

function refusal(r: Map<number, unknown>, h: HelloInfo, port: string): string {
  const st = status(r as never);
  if (st === C.ST_UNSENT) {
    const n = r.get(C.ZR_QUEUED) as number;
    const next = r.get(C.ZR_NEXT_SEQ) as number | undefined;
    return `FACTORY_RESET refused: UNSENT: ${n} event record${n === 1 ? '' : 's'}${next !== undefined ? ` (the newest seq ${next - 1})` : ''} no host has acknowledged would be erased. Fetch them first (edgerule monitor --port ${port} --out <file>, until it has them all), or give --discard-events to erase them with the reset`;
  }
  if (st === C.ST_STALE) return `FACTORY_RESET refused: ${statusText(st)} (the command names event key id ${keyId(h.eventKey!)}, which is not the device's now: it rotated, or this is a replay)`;
  return `FACTORY_RESET refused: ${statusText(st)}`;
}

/** FACTORY_RESET of `device` on the port, signed with the current anchor's secret key. */
export async function factoryReset(o: LinkOptions & { anchorKey: KeyFile; device: number; discardEvents: boolean }): Promise<FactoryResetResult> {
  return withDevice(o, async (s, h) => {
    let already = before(h, o.device, o.anchorKey, o.port) === 'already';
    let discarded = 0;
    let warning = '';
    if (!already) {
      const pub = h.eventKey!;
      const nonce = new Uint8Array(randomBytes(16));
      const flags = o.discardEvents ? C.RESET_DISCARD_EVENTS : 0;
      const sig = signBytes(statement((b) => resetStatement(b, o.device, pub, 0, flags, nonce, 0, nonce.length)), o.anchorKey.seed!);
      const r = await ask(s, C.MSG_FACTORY_RESET, map([C.ZQ_DEVICE, o.device], [C.ZQ_EVENT_KEY, pub], [C.ZQ_FLAGS, flags], [C.ZQ_NONCE, nonce], [C.ZQ_SIGNATURE, sig]), o);
      const st = status(r);
      // STORAGE with the device id: the reset record is written (the device is reset), erasing the rest failed
      if (st === C.ST_STORAGE && r.has(C.ZR_DEVICE)) warning = '; its storage refused erasing some old records: it erases them at its next start';
      else if (st !== C.ST_OK) throw new ProvisionRefused(refusal(r, h, o.port));
      already = r.get(C.ZR_ALREADY) === 1;
      discarded = (r.get(C.ZR_QUEUED) as number | undefined) ?? 0;
    }
    const retired = !!findDevice(readRegistry(o.registry), o.device) && !!updateRegistry(o.registry, (reg) => retireDevice(reg, o.device, new Date().toISOString()));
    return {
      ok: true, device: o.device, discarded, already, registry: o.registry, retired,
      verdict: `OK: device ${o.device} ${already ? 'was already reset' : 'reset'}: its identity, keys and event queue erased${discarded ? ` (${discarded} unsent record${discarded === 1 ? '' : 's'} discarded)` : ''}, the bundle slots kept; it is unprovisioned (edgerule provision works on it again)${warning}; ` +
        (retired ? `registry ${o.registry}: device ${o.device} moved to retired (its keys stay on file)` : `registry ${o.registry} did not hold device ${o.device}`),
    };
  });
}
