/**
 * Generates the worked examples of docs/PROTOCOL.md (between its GENERATED markers) by running the real link
 * agent (dist/edgerule-link.js) on a fixed clock with fixed keys, fed by the real host encoder; every frame shown
 * is one the code produced. test/link-doc.test.ts checks the document still says this.
 *   node --import ./cli/register-ts.mjs harness/protocol-doc.ts --write     rewrites the section in place
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as C from '../runtime/link/constants.ts';
import { cobsEncode, cobsMax } from '../runtime/link/cobs.ts';
import { crc32 } from '../runtime/link/crc32.ts';
import { signalMeta } from '../compiler/dsl/catalogue.ts';
import { SampleBuffer } from '../simulator/trace/samples.ts';
import { InjectSource } from '../hil/run/samples.ts';
import { MemoryStore, freshLinkProgram, linkConfig, signedLibrary } from '../harness/link.ts';
import { rawFrame, decodeBody, FrameReader, type Frame, type Value } from '../hil/link/codec.ts';
import { bundleId } from '../hil/link/bundle-id.ts';
import { MESSAGE_NAME, STATUS_TEXT } from '../hil/link/names.ts';
import { describeDeviceFault } from '../hil/link/names.ts';
import { BUILD_KEY, OTHER_BUILD_KEY } from '../harness/link.ts';
import { boardRandom } from '../hil/virtual/random.ts';
import { rotateKeyStatement, trustStatement, resetStatement, STATEMENT_MAX } from '../runtime/link/statements.ts';
import { signBytes } from '../signing/ed.ts';

export const DOC_PATH = fileURLToPath(new URL('../docs/PROTOCOL.md', import.meta.url));
const BEGIN = '<!-- BEGIN GENERATED EXAMPLES (node --import ./cli/register-ts.mjs harness/protocol-doc.ts --write) -->';
const END = '<!-- END GENERATED EXAMPLES -->';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Names of body keys per message (requests and replies), for the annotations. */
const KEYS: Record<string, Record<number, string>> = {
  'HELLO request': { [C.HQ_NONCE]: 'nonce', [C.HQ_MAX_FRAME]: 'host max frame', [C.HQ_FLAGS]: 'flags' },
  'HELLO reply': {
    [C.K_STATUS]: 'status', [C.HR_NONCE]: 'nonce (echo)', [C.HR_PROTOCOL]: 'protocol', [C.HR_FORMAT]: 'bundle format', [C.HR_ENGINE]: 'engine',
    [C.HR_DEVICE]: 'device id', [C.HR_EVENT_KEY]: 'event public key', [C.HR_MAX_FRAME]: 'device max frame', [C.HR_SLOTS]: 'slots',
    [C.HR_ACTIVE]: 'active slot', [C.HR_TRIAL]: 'trial', [C.HR_FREE]: 'free memory', [C.HR_PROFILE]: 'profile', [C.HR_CATALOGUE]: 'catalogue hash',
    [C.HR_KEY_ID]: 'trust anchor key id', [C.HR_BOOTS]: 'boots', [C.HR_UPTIME]: 'uptime ms', [C.HR_MIN_VERSION]: 'lowest version accepted',
    [C.HR_CHECKING]: 'checking', [C.HR_FAULT]: 'boot fault', [C.HR_SLOT_MAX]: 'slot size', [C.HR_ANCHOR_VERSION]: 'anchor version',
    [C.HR_KEY_EPOCH]: 'key epoch', [C.HR_RUN]: 'injected run', [C.HR_RESET_FROM]: 'reset from device',
  },
  'BEGIN request': { [C.BQ_ID]: 'bundle id', [C.BQ_SIZE]: 'size', [C.BQ_CRC]: 'CRC-32' },
  'BEGIN reply': { [C.K_STATUS]: 'status', [C.BR_NEXT]: 'next offset', [C.BR_SLOT]: 'slot', [C.BR_CHUNK]: 'max chunk' },
  'UPLOAD request': { [C.CQ_OFFSET]: 'offset', [C.CQ_DATA]: 'data' },
  'UPLOAD reply': { [C.K_STATUS]: 'status', [C.CR_NEXT]: 'next offset', [C.CR_AHEAD]: 'held ahead from', [C.CR_AHEAD_END]: 'held ahead up to' },
  'VERIFY request': { [C.VQ_ID]: 'bundle id' },
  'VERIFY reply': { [C.K_STATUS]: 'status', [C.VR_NEXT]: 'next offset' },
  'ACTIVATE request': { [C.AQ_ID]: 'bundle id', [C.AQ_TRIAL]: 'trial' },
  'ACTIVATE reply': {
    [C.K_STATUS]: 'status', [C.AR_FAULT]: 'fault', [C.AR_AT]: 'at byte', [C.AR_FIELD]: 'field', [C.AR_VERSION]: 'bundle version',
    [C.AR_MIN_VERSION]: 'lowest version accepted', [C.AR_ALREADY]: 'already active',
  },
  'PROVISION request': { [C.PQ_ANCHOR]: 'trust anchor', [C.PQ_DEVICE]: 'device id', [C.PQ_NONCE]: 'nonce' },
  'PROVISION reply': {
    [C.K_STATUS]: 'status', [C.PR_DEVICE]: 'device id', [C.PR_EVENT_KEY]: 'event public key', [C.PR_PROOF]: 'proof of possession',
    [C.PR_ANCHOR_VERSION]: 'anchor version', [C.PR_EPOCH]: 'key epoch', [C.PR_ALREADY]: 'already', [C.PR_ANCHOR_ID]: 'anchor key id',
  },
  'ROTATE_EVENT_KEY request': { [C.XQ_DEVICE]: 'device id', [C.XQ_EPOCH]: 'epoch to retire', [C.XQ_SIGNATURE]: 'anchor signature', [C.XQ_NONCE]: 'nonce' },
  'ROTATE_EVENT_KEY reply': {
    [C.K_STATUS]: 'status', [C.XR_EPOCH]: 'new epoch', [C.XR_EVENT_KEY]: 'new event public key', [C.XR_SEQ]: 'rotation record seq',
    [C.XR_PROOF]: 'proof of possession', [C.XR_ALREADY]: 'already',
  },
  'ROTATE_TRUST request': { [C.TQ_ANCHOR]: 'new trust anchor', [C.TQ_VERSION]: 'anchor version', [C.TQ_SIGNATURE]: 'current anchor\'s signature' },
  'ROTATE_TRUST reply': { [C.K_STATUS]: 'status', [C.TR_VERSION]: 'anchor version', [C.TR_ALREADY]: 'already' },
  'FACTORY_RESET request': {
    [C.ZQ_DEVICE]: 'device id', [C.ZQ_EVENT_KEY]: 'event public key in force', [C.ZQ_FLAGS]: 'flags', [C.ZQ_NONCE]: 'nonce', [C.ZQ_SIGNATURE]: 'anchor signature',
  },
  'FACTORY_RESET reply': { [C.K_STATUS]: 'status', [C.ZR_DEVICE]: 'device id', [C.ZR_QUEUED]: 'records unsent', [C.ZR_NEXT_SEQ]: 'next seq', [C.ZR_ALREADY]: 'already' },
  'EVENT request': { [C.EQ_RECORD]: 'record', [C.EQ_PREV]: 'seq before it' },
  'INJECT request': {
    [C.IQ_RUN]: 'run id', [C.IQ_FROM]: 'first sample index', [C.IQ_SAMPLES]: 'sample entries', [C.IQ_ORIGIN]: 'origin (BEGIN)', [C.IQ_CLOCK]: 'clock',
    [C.IQ_START]: 'clock starts at',
  },
  'INJECT reply': { [C.K_STATUS]: 'status', [C.IR_RUN]: 'run id', [C.IR_NEXT]: 'next sample index', [C.IR_FREE]: 'free buffer bytes', [C.IR_DONE]: 'samples evaluated', [C.IR_BUFFER]: 'buffer size' },
  'END_RUN request': { [C.NQ_RUN]: 'run id', [C.NQ_SAMPLES]: 'samples sent', [C.NQ_UNTIL]: 'run the clock on to' },
  'END_RUN reply': {
    [C.K_STATUS]: 'status', [C.NR_RUN]: 'run id', [C.NR_NEXT]: 'samples received', [C.NR_DONE]: 'samples evaluated', [C.NR_STEPS]: 'evaluation instants',
    [C.NR_RECORDS]: 'records made', [C.NR_EVENTS]: 'rule events', [C.NR_DROPPED]: 'records dropped', [C.NR_EVAL_US]: 'evaluation µs',
    [C.NR_EVAL_MAX_US]: 'longest µs', [C.NR_FAULT]: 'runtime fault', [C.NR_WRITER_FAULT]: 'writer fault', [C.NR_END]: 'ended at',
  },
  'LOG request': { [C.LQ_TEXT]: 'text', [C.LQ_BOOTS]: 'boots' },
  'EVENT reply': { [C.K_STATUS]: 'status', [C.ER_ACK]: 'acknowledged up to seq' },
};

function head(b: Uint8Array, at: number): { major: number; val: number; len: number } {
  const ai = b[at] & 31;
  const n = ai < 24 ? 0 : ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : 8;
  let val = ai < 24 ? ai : 0;
  for (let i = 1; i <= n; i++) val = val * 256 + b[at + i];
  return { major: b[at] >> 5, val, len: 1 + n };
}

function row(b: Uint8Array, at: number, len: number, depth: number, what: string): string {
  const h = hex(b.subarray(at, at + len));
  return `${String(at).padStart(4)}  ${('  '.repeat(depth) + (h.length > 36 ? `${h.slice(0, 34)}…` : h)).padEnd(40)} ${what}`;
}

/** One line per item of a body (flat map, values scalars or arrays of scalars), keys named. */
function annotateBody(b: Uint8Array, at: number, end: number, names: Record<number, string>, status: boolean): string[] {
  const lines: string[] = [];
  if (at === end) return ['      (empty body)'];
  const m = head(b, at);
  lines.push(row(b, at, m.len, 0, `map(${m.val})`));
  let p = at + m.len;
  const scalar = (depth: number, label: string): void => {
    const h = head(b, p);
    if (b[p] === 0xfb) {
      lines.push(row(b, p, 9, depth, `${label}float64`));
      p += 9;
    } else if (h.major === 2 || h.major === 3) {
      const text = h.major === 3 ? `"${Buffer.from(b.subarray(p + h.len, p + h.len + h.val)).toString('latin1')}"` : `${h.val} bytes`;
      lines.push(row(b, p, h.len + h.val, depth, `${label}${text}`));
      p += h.len + h.val;
    } else if (h.major === 4) {
      lines.push(row(b, p, h.len, depth, `${label}array(${h.val})`));
      p += h.len;
      for (let i = 0; i < h.val; i++) scalar(depth + 1, '');
    } else {
      lines.push(row(b, p, h.len, depth, `${label}${h.major === 1 ? -1 - h.val : h.val}`));
      p += h.len;
    }
  };
  for (let i = 0; i < m.val; i++) {
    const k = head(b, p);
    lines.push(row(b, p, k.len, 1, `key ${k.val}: ${names[k.val] ?? '?'}`));
    p += k.len;
    const v = head(b, p);
    const st = status && k.val === C.K_STATUS ? ` ${STATUS_TEXT[v.val]?.name ?? ''}` : '';
    scalar(2, '');
    if (st) lines[lines.length - 1] += ` (${st.trim()})`;
  }
  return lines;
}

/** A frame annotated: header, body, CRC; then its wire form. */
function show(title: string, raw: Uint8Array, note = ''): string {
  const type = raw[0];
  const isReply = (type & C.REPLY) !== 0;
  const name = MESSAGE_NAME[type & ~C.REPLY] ?? '?';
  const keys = KEYS[`${name} ${isReply ? 'reply' : 'request'}`] ?? {};
  const wire = new Uint8Array(cobsMax(raw.length));
  const n = cobsEncode(raw, raw.length, wire, 0);
  const lines = [
    row(raw, 0, 1, 0, `type 0x${type.toString(16).padStart(2, '0')}: ${name}${isReply ? ' reply' : ''}`),
    row(raw, 1, 2, 0, `seq ${raw[1] | (raw[2] << 8)}`),
    ...annotateBody(raw, 3, raw.length - 4, keys, isReply),
    row(raw, raw.length - 4, 4, 0, `CRC-32 0x${crc32(0, raw, 0, raw.length - 4).toString(16).padStart(8, '0')}`),
  ];
  const w = hex(wire.subarray(0, n));
  return [
    `#### ${title}`, '', ...(note ? [note, ''] : []),
    `Raw frame (${raw.length} bytes):`, '', '```', ...lines, '```', '',
    `On the wire (COBS, ${n} bytes): \`${w.length > 120 ? `${w.slice(0, 118)}…${w.slice(-6)}` : w}\``, '',
  ].join('\n');
}

/** Runs the examples' session; returns each exchange as [request raw, reply raw]. */
export async function generatedExamples(): Promise<string> {
  const v1 = await signedLibrary({ version: 1 });
  const v0 = await signedLibrary({ version: 0 });
  const store = new MemoryStore();
  const out: Uint8Array[] = [];
  const reader = new FrameReader((f: Frame) => out.push(f.raw));
  const api = freshLinkProgram();
  let now = 1000;
  const agent = api.linkAgent(linkConfig({ engine: 'node (docs)', checkUnits: 4, injectBuffer: C.TEST_INJECT_BUFFER }), {
    write: (b, s, n) => reader.push(b.slice(s, s + n)), restart() {}, output() {}, interval() {},
  }, store, now);
  const bootLine = out.splice(0)[0];
  while (agent.poll(now) === 0) now += 1;
  const exchange = (type: number, seq: number, body: Map<number, Value>): [Uint8Array, Uint8Array] => {
    const raw = rawFrame(type, seq, body);
    const wire = new Uint8Array(cobsMax(raw.length));
    const n = cobsEncode(raw, raw.length, wire, 0);
    out.length = 0;
    now += 10;
    agent.input(wire, 0, n, now);
    if (out.length !== 1) throw new Error(`expected one reply to ${MESSAGE_NAME[type]}, got ${out.length}`);
    return [raw, out[0]];
  };
  const id = bundleId(v1);
  const nonce = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
  const sections: string[] = [BEGIN, '', `Device 7, profile \`full\`, trust anchor and event key from the test keys of \`harness/link.ts\`; the bundle is the rule library (\`rules/\`) signed as version 1 (${v1.length} bytes, id \`${hex(id)}\`). Clock: the device's own milliseconds since it started.`, ''];
  const [hq, hr] = exchange(C.MSG_HELLO, 0x0100, new Map<number, Value>([[C.HQ_NONCE, nonce], [C.HQ_MAX_FRAME, 4096], [C.HQ_FLAGS, 0]]));
  sections.push('### 1. HELLO on a device that runs nothing yet', '', show('Request', hq), show('Reply', hr));
  const [bq, br] = exchange(C.MSG_BEGIN, 0x0101, new Map<number, Value>([[C.BQ_ID, id], [C.BQ_SIZE, v1.length], [C.BQ_CRC, crc32(0, v1, 0, v1.length)]]));
  sections.push('### 2. BEGIN an upload', '', show('Request', bq), show('Reply', br, 'The device starts the upload in slot 0 (nothing is active) at offset 0; a device that already held part of this bundle would answer where it stands.'));
  const [cq, cr] = exchange(C.MSG_CHUNK, 0x0102, new Map<number, Value>([[C.CQ_OFFSET, 0], [C.CQ_DATA, v1.subarray(0, 1024)]]));
  sections.push('### 3. The first chunk', '', show('Request', cq, 'Data bytes elided in the listing; the CRC covers them all.'), show('Reply', cr));
  const [gq, gr] = exchange(C.MSG_CHUNK, 0x0103, new Map<number, Value>([[C.CQ_OFFSET, 1536], [C.CQ_DATA, v1.subarray(1536, 1546)]]));
  sections.push('### 4. A chunk beyond the next offset (the one before it was lost on the line)', '', show('Request', gq), show('Reply', gr, 'The chunk is written in place, ahead of the hole; the reply names the offset the device still expects and the range it holds ahead (keys 2 and 3), so the host resends only the hole [1024, 1536).'));
  exchange(C.MSG_CHUNK, 0x0104, new Map<number, Value>([[C.CQ_OFFSET, 1024], [C.CQ_DATA, v1.subarray(1024)]]));
  const [vq, vr] = exchange(C.MSG_VERIFY, 0x0105, new Map<number, Value>([[C.VQ_ID, id]]));
  sections.push('### 5. VERIFY the whole slot (after the last chunk)', '', show('Request', vq), show('Reply', vr));
  const [aq, ar] = exchange(C.MSG_ACTIVATE, 0x0106, new Map<number, Value>([[C.AQ_ID, id], [C.AQ_TRIAL, 0]]));
  while (agent.poll(now) === 0) now += 1;
  const [, ar2] = exchange(C.MSG_ACTIVATE, 0x0107, new Map<number, Value>([[C.AQ_ID, id], [C.AQ_TRIAL, 0]]));
  sections.push('### 6. ACTIVATE: PENDING while the device checks the slot, then OK', '', show('Request', aq), show('First reply', ar, 'The signature check runs in slices between polls; the host asks again.'), show('Reply once the check is done and the slot pointer is written', ar2));
  const id0 = bundleId(v0);
  exchange(C.MSG_BEGIN, 0x0108, new Map<number, Value>([[C.BQ_ID, id0], [C.BQ_SIZE, v0.length], [C.BQ_CRC, crc32(0, v0, 0, v0.length)]]));
  exchange(C.MSG_CHUNK, 0x0109, new Map<number, Value>([[C.CQ_OFFSET, 0], [C.CQ_DATA, v0.subarray(0, 1024)]]));
  exchange(C.MSG_CHUNK, 0x0110, new Map<number, Value>([[C.CQ_OFFSET, 1024], [C.CQ_DATA, v0.subarray(1024)]]));
  exchange(C.MSG_ACTIVATE, 0x010a, new Map<number, Value>([[C.AQ_ID, id0], [C.AQ_TRIAL, 0]]));
  while (agent.poll(now) === 0) now += 1;
  const [, rr] = exchange(C.MSG_ACTIVATE, 0x010b, new Map<number, Value>([[C.AQ_ID, id0], [C.AQ_TRIAL, 0]]));
  const refused = decodeBody(rr.subarray(3, rr.length - 4));
  const why = describeDeviceFault(refused.get(C.AR_FAULT) as number, refused.get(C.AR_AT) as number, refused.get(C.AR_FIELD) as number, '');
  sections.push('### 7. ACTIVATE refused: the library signed as version 0 after version 1 (rollback)', '', show('Reply', rr, `The host reads it as: ${why}; the device accepts version ${refused.get(C.AR_MIN_VERSION)} or above and still runs version 1.`));
  // An event: an impact above 4 g fires shock-or-tamper at once.
  const rt = agent.runtime()!;
  const t = 1_700_000_000_000;
  rt.advanceTo(t);
  rt.set(signalMeta('accel.mag').id, 50, t);
  rt.step(t);
  const [, hr2] = exchange(C.MSG_HELLO, 0x010c, new Map<number, Value>([[C.HQ_NONCE, nonce], [C.HQ_MAX_FRAME, 4096], [C.HQ_FLAGS, C.HELLO_EVENTS]]));
  void hr2;
  out.length = 0;
  while (agent.poll(now) === 0) now += 1;
  const ev = out[0];
  if (!ev) throw new Error('no EVENT frame');
  const ack = rawFrame(C.MSG_EVENT | C.REPLY, ev[1] | (ev[2] << 8), new Map<number, Value>([[C.K_STATUS, C.ST_OK], [C.ER_ACK, 1]]));
  sections.push('### 8. An event record, device to host, and the host\'s acknowledgement', '',
    show('EVENT (the device\'s request, after a HELLO that asked for events)', ev, 'The record is the event writer\'s COSE_Sign1 (docs/EVENTS.md); shock-or-tamper fired on a 50 m/s² impact.'),
    show('The host\'s reply', ack));
  sections.push('### 9. The line the agent sends when it starts', '', show('LOG (not answered)', bootLine, 'Sent once, right after the agent starts: a host that kept the port open across a RESET sees the restart.'));
  sections.push(...injectedRunExamples(exchange, () => { while (agent.poll(now) === 0) now += 1; }));
  sections.push(...provisioningExamples());
  sections.push(END);
  return sections.join('\n');
}

/** Provisioning (docs/PROVISIONING.md) on a second device that leaves the factory with no anchor and no key. */
function provisioningExamples(): string[] {
  const out: Uint8Array[] = [];
  const reader = new FrameReader((f: Frame) => out.push(f.raw));
  let now = 1000;
  const agent = freshLinkProgram().linkAgent(linkConfig({ engine: 'node (docs)', key: null, seed: null, device: 0 }), {
    write: (b, s, n) => reader.push(b.slice(s, s + n)), restart() {}, output() {}, interval() {},
    random: boardRandom('00'.repeat(32)), // a fixed stream, so the document is the same every time
  }, new MemoryStore(), now);
  while (agent.poll(now) === 0) now += 1;
  const exchange = (type: number, seq: number, body: Map<number, Value>): [Uint8Array, Uint8Array] => {
    const raw = rawFrame(type, seq, body);
    const wire = new Uint8Array(cobsMax(raw.length));
    out.length = 0;
    now += 10;
    agent.input(wire, 0, cobsEncode(raw, raw.length, wire, 0), now);
    if (out.length !== 1) throw new Error(`expected one reply to ${MESSAGE_NAME[type]}, got ${out.length}`);
    return [raw, out[0]];
  };
  const statement = (fill: (b: Uint8Array) => number) => {
    const b = new Uint8Array(STATEMENT_MAX);
    return b.subarray(0, fill(b));
  };
  const nonce = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
  const sections: string[] = ['### 13. PROVISION a device that has no trust anchor', '',
    'A second device, as it leaves the factory: no anchor, no event key (its random source is a fixed stream here, so this document is the same every time). The host names the anchor (the build public key of the examples above) and the id; the device makes its key, takes both, and answers its public key with its signature over the provisioning statement (docs/PROVISIONING.md), which covers the host\'s nonce.', ''];
  const [pq, pr] = exchange(C.MSG_PROVISION, 0x0200, new Map<number, Value>([[C.PQ_ANCHOR, BUILD_KEY.publicKey], [C.PQ_DEVICE, 7], [C.PQ_NONCE, nonce]]));
  sections.push(show('Request', pq), show('Reply', pr));
  const [, pr2] = exchange(C.MSG_PROVISION, 0x0201, new Map<number, Value>([[C.PQ_ANCHOR, OTHER_BUILD_KEY.publicKey], [C.PQ_DEVICE, 7], [C.PQ_NONCE, nonce]]));
  sections.push('### 14. PROVISION refused: the device has an anchor already', '', show('Reply', pr2, 'Another anchor (or another id) for a provisioned device: `PROVISIONED`, naming the anchor it has by its key id.'));
  const sig = signBytes(statement((b) => rotateKeyStatement(b, 7, 0)), BUILD_KEY.seed!);
  const [xq, xr] = exchange(C.MSG_ROTATE_EVENT_KEY, 0x0202, new Map<number, Value>([[C.XQ_DEVICE, 7], [C.XQ_EPOCH, 0], [C.XQ_SIGNATURE, sig], [C.XQ_NONCE, nonce]]));
  sections.push('### 15. ROTATE_EVENT_KEY, signed by the trust anchor', '', show('Request', xq), show('Reply', xr, 'No record was made yet, so the rotation record is seq 1; the new key signs from seq 2.'));
  const tsig = signBytes(statement((b) => trustStatement(b, 1, OTHER_BUILD_KEY.publicKey, 0)), BUILD_KEY.seed!);
  const [tq, tr] = exchange(C.MSG_ROTATE_TRUST, 0x0203, new Map<number, Value>([[C.TQ_ANCHOR, OTHER_BUILD_KEY.publicKey], [C.TQ_VERSION, 1], [C.TQ_SIGNATURE, tsig]]));
  const [, tr2] = exchange(C.MSG_ROTATE_TRUST, 0x0204, new Map<number, Value>([[C.TQ_ANCHOR, BUILD_KEY.publicKey], [C.TQ_VERSION, 1], [C.TQ_SIGNATURE, tsig]]));
  sections.push('### 16. ROTATE_TRUST to a new build key (anchor version 1); a statement the current anchor did not sign is refused', '', show('Request', tq), show('Reply', tr),
    show('Reply to the old anchor named as the next one, with the signature above', tr2, 'The signature is not over this statement, and was made by an anchor no longer in force: `SIGNATURE`. (Signed by the current anchor, a version not above 1 is `STALE`.)'));
  const eventKey = decodeBody(xr.subarray(3, xr.length - 4)).get(C.XR_EVENT_KEY) as Uint8Array;
  const reset = (seq: number, flags: number) => exchange(C.MSG_FACTORY_RESET, seq, new Map<number, Value>([[C.ZQ_DEVICE, 7], [C.ZQ_EVENT_KEY, eventKey], [C.ZQ_FLAGS, flags],
    [C.ZQ_NONCE, nonce], [C.ZQ_SIGNATURE, signBytes(statement((b) => resetStatement(b, 7, eventKey, 0, flags, nonce, 0, nonce.length)), OTHER_BUILD_KEY.seed!)]]));
  const [zq, zr] = reset(0x0205, 0);
  const [zq2, zr2] = reset(0x0206, C.RESET_DISCARD_EVENTS);
  sections.push('### 17. FACTORY_RESET, signed by the trust anchor; refused while event records are unsent', '',
    show('Request', zq, 'The statement names the device and the event key in force (the one ROTATE_EVENT_KEY made above), so it is good for this key\'s life only; signed by the anchor now in force.'),
    show('Reply', zr, 'The rotation record (seq 1) was never acknowledged by a host: `UNSENT`, with the count. Nothing was erased.'),
    show('Request with flag 1 (discard unsent records), signed anew', zq2), show('Reply', zr2, 'The device wrote its reset record (the commit), erased its identity, secrets and event queue, and is unprovisioned: PROVISION works on it again.'));
  return sections;
}

/** An injected run: BEGIN, samples (a GPS fix and an impact), END_RUN. */
function injectedRunExamples(exchange: (type: number, seq: number, body: Map<number, Value>) => [Uint8Array, Uint8Array], settle: () => void): string[] {
  const b = new SampleBuffer(16);
  const t = 1_700_000_200_000;
  for (const [dt, name, v] of [[0, 'gnss.lat', -36.85], [0, 'gnss.lon', 174.76], [0, 'gnss.speed', 8.5], [40, 'accel.mag', 50]] as const) b.push(t + dt, signalMeta(name).id, v);
  const src = new InjectSource(b);
  const run = 0x5eed;
  const [bq, br] = exchange(C.MSG_INJECT, 0x0110, new Map<number, Value>([[C.IQ_RUN, run], [C.IQ_ORIGIN, src.origin]]));
  const p = src.payload(0, 1000);
  const [iq, ir] = exchange(C.MSG_INJECT, 0x0111, new Map<number, Value>([[C.IQ_RUN, run], [C.IQ_FROM, 0], [C.IQ_SAMPLES, p.bytes]]));
  settle();
  const [eq, er] = exchange(C.MSG_END_RUN, 0x0112, new Map<number, Value>([[C.NQ_RUN, run], [C.NQ_SAMPLES, src.length], [C.NQ_UNTIL, src.rel[src.length - 1]]]));
  return [
    '### 10. BEGIN an injected run', '', show('Request', bq, 'An INJECT with an origin begins a run: sample times are given relative to it (here the first sample\'s whole millisecond, as the simulator does).'), show('Reply', br),
    '### 11. Samples', '', show('Request', iq, `Four samples at two times: a fix (latitude, longitude, speed: the first entry carries the time, the next two share it) and, 40 ms later, an impact; the group end after it says that time is complete. Entries: \`${hex(p.bytes)}\`.`), show('Reply', ir, 'The device holds samples 0–3; it evaluates them from its poll loop.'),
    '### 12. END_RUN', '', show('Request', eq), show('Reply once everything is evaluated', er, 'shock-or-tamper fired on the impact: one record (seq 1 of the run\'s own writer). The counts stay until the next BEGIN; the run ends once the host has acknowledged its records.'),
  ];
}

export async function documentWithExamples(): Promise<string> {
  const doc = readFileSync(DOC_PATH, 'utf8');
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < 0) throw new Error(`${DOC_PATH}: the generated-examples markers are missing`);
  return doc.slice(0, a) + (await generatedExamples()) + doc.slice(b + END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = await documentWithExamples();
  if (process.argv.includes('--write')) {
    writeFileSync(DOC_PATH, text);
    console.log(`rewrote the generated examples in ${DOC_PATH}`);
  } else {
    process.stdout.write(text);
  }
}
