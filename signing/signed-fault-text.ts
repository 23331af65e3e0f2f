/** Sentences for the signed-bundle and event fault codes (runtime/signing/signed-faults.ts) and their field ids. */
import * as S from '../runtime/signing/signed-faults.ts';
import { FAULT_TEXT } from '../compiler/faults.ts';

export const SIGNED_FAULT_TEXT: Record<number, { name: string; rule: string }> = {
  [S.SF_TRUNCATED]: { name: 'TRUNCATED', rule: 'the input ends inside this item' },
  [S.SF_TYPE]: { name: 'WRONG_TYPE', rule: 'not the CBOR type, tag, length or value the format expects here' },
  [S.SF_NONCANONICAL]: { name: 'NONCANONICAL', rule: 'not in the strict CBOR subset (indefinite length, non-shortest head, simple value, half/single float)' },
  [S.SF_OVERSIZED]: { name: 'OVERSIZED', rule: 'longer or larger than this field allows' },
  [S.SF_HEADER]: { name: 'HEADER', rule: 'protected header: wrong algorithm, crit list or labels (the exact header is in docs/EVENTS.md)' },
  [S.SF_TRAILING]: { name: 'TRAILING', rule: 'bytes follow the COSE_Sign1' },
  [S.SF_WRONG_KEY]: { name: 'WRONG_KEY', rule: 'signed with another key than the provisioned build key' },
  [S.SF_SIGNATURE]: { name: 'SIGNATURE', rule: 'the signature does not verify' },
  [S.SF_ROLLBACK]: { name: 'ROLLBACK', rule: 'version is lower than the active bundle\'s' },
  [S.SF_PROFILE]: { name: 'PROFILE', rule: 'the bundle targets another device profile' },
  [S.SF_CATALOGUE]: { name: 'CATALOGUE', rule: 'signal catalogue hash differs from the runtime\'s or from the bundle header' },
  [S.SF_BAD_KEY]: { name: 'BAD_KEY', rule: 'the provisioned key must be a 32-byte public key of large order (a small-order key proves nothing), an event key seed 32 bytes, a device id 0…4294967295' },
  [S.SF_QUEUE_FULL]: { name: 'QUEUE_FULL', rule: 'the event queue holds only critical records; a critical record was handed over but could not be kept for retransmission' },
  [S.SF_STATE]: { name: 'STATE', rule: 'persisted event-writer state or queue slot unreadable; it was ignored' },
  [S.SF_BAD_EVENT]: { name: 'BAD_EVENT', rule: 'emit() with a rule id, severity or number of values out of range' },
  [S.SF_ARGUMENT]: { name: 'ARGUMENT', rule: 'an argument of the wrong type: bytes must be a Uint8Array; trust { key, profile (string), active (integer 0…4294967295) }, writer configuration and host must be objects' },
};

export const FIELD_NAME: Record<number, string> = {
  [S.FLD_NONE]: '-',
  [S.FLD_TAG]: 'COSE_Sign1 tag',
  [S.FLD_ARRAY]: 'COSE_Sign1 array',
  [S.FLD_PROTECTED]: 'protected',
  [S.FLD_HEADER_MAP]: 'protected header',
  [S.FLD_ALG]: 'protected.alg',
  [S.FLD_CRIT]: 'protected.crit',
  [S.FLD_KID]: 'protected.kid',
  [S.FLD_VERSION]: 'protected.version',
  [S.FLD_PROFILE]: 'protected.profile',
  [S.FLD_CATALOGUE]: 'protected.catalogue',
  [S.FLD_SIGNING]: 'protected.signing',
  [S.FLD_UNPROTECTED]: 'unprotected',
  [S.FLD_PAYLOAD]: 'payload',
  [S.FLD_SIGNATURE]: 'signature',
  [S.FLD_END]: 'end',
  [S.FLD_KEY]: 'key',
  [S.FLD_INPUT]: 'input',
  [S.FLD_TRUST]: 'trust',
  [S.FLD_ACTIVE]: 'trust.active',
  [S.FLD_RECORD]: 'record',
  [S.FLD_REC_TYPE]: 'record.type',
  [S.FLD_REC_DEVICE]: 'record.device',
  [S.FLD_REC_SEQ]: 'record.seq',
  [S.FLD_REC_TIME]: 'record.time',
  [S.FLD_REC_RULE]: 'record.rule',
  [S.FLD_REC_SEVERITY]: 'record.severity',
  [S.FLD_REC_VALUES]: 'record.values',
  [S.FLD_REC_PREV]: 'record.prev',
  [S.FLD_REC_DROPPED]: 'record.dropped',
  [S.FLD_REC_DROP_TOTAL]: 'record.droppedTotal',
  [S.FLD_STATE]: 'writer state',
  [S.FLD_SLOT]: 'queue slot',
  [S.FLD_HOST]: 'host',
  [S.FLD_CONFIG]: 'writer configuration',
};

export function faultName(code: number): string {
  return SIGNED_FAULT_TEXT[code]?.name ?? FAULT_TEXT[code]?.name ?? 'UNKNOWN';
}

/**
 * One line: `<file>: byte <at>: field '<field>': fault <code> <NAME>: <rule>` (no `<file>: ` when file is ''). Bytecode verifier faults
 * (codes below 40) inside a signed bundle's payload also give the offset inside the bundle.
 */
export function describeSignedFault(code: number, at: number, field: number, file = 'signed bundle', payloadAt = 0): string {
  const s = SIGNED_FAULT_TEXT[code];
  const prefix = file ? `${file}: ` : '';
  if (s) return `${prefix}byte ${at}: field '${FIELD_NAME[field] ?? field}': fault ${code} ${s.name}: ${s.rule}`;
  const f = FAULT_TEXT[code];
  const where = field === S.FLD_PAYLOAD ? ` (bundle byte ${at - payloadAt})` : '';
  return `${prefix}byte ${at}${where}: fault ${code} ${f ? `${f.name}: ${f.rule}` : '(unknown)'}`;
}
