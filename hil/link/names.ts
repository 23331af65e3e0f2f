/** Names and sentences for the link's message types and status codes (runtime/link/constants.ts owns the numbers). */
import * as C from '../../runtime/link/constants.ts';
import { describeSignedFault } from '../../signing/signed-fault-text.ts';

export const MESSAGE_NAME: Record<number, string> = {
  [C.MSG_HELLO]: 'HELLO', [C.MSG_BEGIN]: 'BEGIN', [C.MSG_CHUNK]: 'UPLOAD', [C.MSG_VERIFY]: 'VERIFY',
  [C.MSG_ACTIVATE]: 'ACTIVATE', [C.MSG_CONFIRM]: 'CONFIRM', [C.MSG_STATS]: 'STATS', [C.MSG_CLOCK]: 'CLOCK',
  [C.MSG_RESET]: 'RESET', [C.MSG_CONSOLE]: 'CONSOLE', [C.MSG_INJECT]: 'INJECT', [C.MSG_END_RUN]: 'END_RUN',
  [C.MSG_PROVISION]: 'PROVISION', [C.MSG_ROTATE_EVENT_KEY]: 'ROTATE_EVENT_KEY', [C.MSG_ROTATE_TRUST]: 'ROTATE_TRUST',
  [C.MSG_FACTORY_RESET]: 'FACTORY_RESET',  [C.MSG_EVENT]: 'EVENT', [C.MSG_LOG]: 'LOG',
};

export const STATUS_TEXT: Record<number, { name: string; text: string }> = {
  [C.ST_OK]: { name: 'OK', text: 'done' },
  [C.ST_PENDING]: { name: 'PENDING', text: 'a slot check is running' },
  [C.ST_UNKNOWN]: { name: 'UNKNOWN', text: 'the device does not know this message type' },
  [C.ST_MALFORMED]: { name: 'MALFORMED', text: 'the device could not read the request' },
  [C.ST_NO_SESSION]: { name: 'NO_SESSION', text: 'no upload session (the device restarted since BEGIN)' },
  [C.ST_TOO_BIG]: { name: 'TOO_BIG', text: 'the bundle is larger than a slot' },
  [C.ST_STORAGE]: { name: 'STORAGE', text: 'the device\'s storage refused a write' },
  [C.ST_INCOMPLETE]: { name: 'INCOMPLETE', text: 'the slot does not hold the whole bundle' },
  [C.ST_CRC]: { name: 'CRC', text: 'the slot\'s bytes do not match the bundle\'s CRC-32' },
  [C.ST_HASH]: { name: 'HASH', text: 'the slot\'s bytes do not hash to the bundle id' },
  [C.ST_REFUSED]: { name: 'REFUSED', text: 'the bundle failed the device\'s checks' },
  [C.ST_TRIAL]: { name: 'TRIAL', text: 'a trial activation waits for CONFIRM (or a restart, which reverts it)' },
  [C.ST_NOT_FOUND]: { name: 'NOT_FOUND', text: 'no slot holds this bundle' },
  [C.ST_UNSUPPORTED]: { name: 'UNSUPPORTED', text: 'the device does not implement this message' },
  [C.ST_UNPROVISIONED]: { name: 'UNPROVISIONED', text: 'the device has no trust anchor (build key) to check bundles with' },
  [C.ST_BUSY]: { name: 'BUSY', text: 'another slot check is running' },
  [C.ST_PROVISIONED]: { name: 'PROVISIONED', text: 'the device is already provisioned with another trust anchor or device id' },
  [C.ST_BAD_KEY]: { name: 'BAD_KEY', text: 'the public key proves nothing (small order or not a curve point)' },
  [C.ST_SIGNATURE]: { name: 'SIGNATURE', text: 'the command\'s signature does not verify with the device\'s current trust anchor' },
  [C.ST_STALE]: { name: 'STALE', text: 'the anchor version or key epoch is not the next one (an old or replayed command)' },
  [C.ST_NO_RANDOM]: { name: 'NO_RANDOM', text: 'the device has no random source to make a key from' },
  [C.ST_NO_RUN]: { name: 'NO_RUN', text: 'the device has no injected run with this id (it restarted, or gave the run up)' },
  [C.ST_UNSENT]: { name: 'UNSENT', text: 'event records no host has acknowledged remain on the device' },
};

export function messageName(type: number): string {
  return MESSAGE_NAME[type & ~C.REPLY] ?? `type 0x${type.toString(16)}`;
}

export function statusName(st: number): string {
  return STATUS_TEXT[st]?.name ?? `status ${st}`;
}

export function statusText(st: number): string {
  const s = STATUS_TEXT[st];
  return s ? `${s.name}: ${s.text}` : `status ${st}`;
}

export const SLOT_STATE_NAME: Record<number, string> = {
  [C.SLOT_EMPTY]: 'empty', [C.SLOT_PARTIAL]: 'partial', [C.SLOT_COMPLETE]: 'complete', [C.SLOT_ACTIVE]: 'active',
};

/** A boot fault from HELLO (HR_FAULT) or a refusal from ACTIVATE as one sentence. */
export function describeDeviceFault(code: number, at: number, field: number, file = ''): string {
  if (code >= C.FAULT_SLOT_STATUS) return `slot check: ${statusText(code - C.FAULT_SLOT_STATUS)}`;
  return describeSignedFault(code, at, field, file);
}
