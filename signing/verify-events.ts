/**
 * Host verification of a device's events file: every signature and checkpoint, the hash chain and the
 * sequence. The report names, by sequence number, exactly which records are forged, missing, duplicated,
 * reordered or unverified, and which the device itself reported as dropped from its full queue.
 *
 * Authentication: a COSE_Sign1 record is authentic when its signature verifies with the device key. A bare
 * record (checkpoint mode) is authentic when the hash chain leads to it from an authentic signed record:
 * walking down from each signed record, record s−1 must hash to record s's `prev`; across a range the device
 * reported as dropped, the walk continues at `first − 1` with the range's `prev`. A bare record no walk
 * reaches is unverified; one whose hash differs from what the chain demands is forged.
 */
import { verifyBytes } from './ed.ts';
import { readEvents, type DropRange, type Item } from './event-record.ts';
import type { SigningMode } from '../compiler/dsl/rule.ts';

export interface VerifyOptions {
  /** The device's public key. */
  publicKey: Uint8Array;
  /** The device id the key belongs to (records naming another device are forged). */
  device?: number;
  /** The signing mode the device's bundle prescribes (default: inferred from the file). */
  signing?: SigningMode;
  /** Rule ids of the bundle (records naming other rules are reported). */
  ruleIds?: Set<number>;
  /** The first sequence number the file should hold (default 1). */
  from?: number;
  file?: string;
}

export type ProblemKind = 'malformed' | 'forged' | 'missing' | 'duplicated' | 'reordered' | 'unverified' | 'chain' | 'conflict' | 'rule';

export interface Finding {
  kind: ProblemKind | 'dropped';
  seq?: number;
  lastSeq?: number;
  offset?: number;
  text: string;
}

export interface EventsReport {
  ok: boolean;
  records: number;
  events: number;
  checkpoints: number;
  mode: SigningMode;
  findings: Finding[];
  counts: Partial<Record<ProblemKind | 'dropped', number>>;
  text: string;
}

interface Node {
  item: Item;
  seq: number;
  sigOk: boolean;
  /** Why this copy is not authentic, when known. */
  forged?: string;
  chainAuth: boolean;
  walked: boolean;
}

const SUMMARY_LABEL: Partial<Record<ProblemKind | 'dropped', string>> = { chain: 'chain broken', conflict: 'conflicting', rule: 'unknown rule' };

function seqText(a: number, b: number): string {
  return a === b ? `seq ${a}` : `seq ${a}–${b}`;
}

/** Longest increasing subsequence (by seq) of arrivals: indices kept in order; the others are reordered. */
function inOrder(seqs: number[]): Set<number> {
  const tails: number[] = [];
  const prevIdx: number[] = new Array(seqs.length).fill(-1);
  for (let i = 0; i < seqs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[tails[mid]] < seqs[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prevIdx[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const keep = new Set<number>();
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = prevIdx[i]) keep.add(i);
  return keep;
}

export function verifyEvents(bytes: Uint8Array, o: VerifyOptions): EventsReport {
  const file = o.file ?? 'events';
  const from = o.from ?? 1;
  const read = readEvents(bytes);
  const findings: Finding[] = [];
  const nodes: Node[] = [];
  for (const item of read.items) {
    if (!item.record) {
      findings.push({ kind: 'malformed', offset: item.offset, text: `byte ${item.offset}: malformed record: ${item.error}` });
      continue;
    }
    const sigOk = item.signed ? verifyBytes(item.signature!, item.tbs!, o.publicKey) : false;
    nodes.push({ item, seq: item.record.seq, sigOk, chainAuth: false, walked: false });
  }
  if (read.stopped) {
    findings.push({ kind: 'malformed', offset: read.stopped.offset, text: `byte ${read.stopped.offset}: malformed record, reading stopped (${read.stopped.unread} bytes not read): ${read.stopped.message}` });
  }
  const mode: SigningMode = o.signing ?? (nodes.some((n) => !n.item.signed) ? 'checkpoint' : 'per-event');

  // Why a copy cannot be authentic regardless of the chain.
  for (const n of nodes) {
    const r = n.item.record!;
    if (o.device !== undefined && r.device !== o.device) n.forged = `names device ${r.device}, the key belongs to device ${o.device}`;
    else if (n.item.signed && !n.sigOk) n.forged = 'signature does not verify';
    else if (!n.item.signed && r.type === 1) n.forged = 'checkpoint without a signature';
    else if (!n.item.signed && mode === 'per-event') n.forged = 'unsigned record in a per-event stream';
  }
  const signedAuth = (n: Node) => n.item.signed && n.sigOk && !n.forged;
  const bySeq = new Map<number, Node[]>();
  for (const n of nodes) {
    const list = bySeq.get(n.seq) ?? [];
    list.push(n);
    bySeq.set(n.seq, list);
  }

  // Chain walks down from every authentic signed record, newest first.
  const ranges: Array<DropRange & { reportedBy: number }> = [];
  const addRanges = (n: Node) => {
    for (const d of n.item.record!.drops) if (!ranges.some((x) => x.first === d.first && x.last === d.last && x.count === d.count)) ranges.push({ ...d, reportedBy: n.seq });
  };
  const chainBreaks = new Map<number, string>();
  const roots = nodes.filter(signedAuth).sort((a, b) => b.seq - a.seq);
  for (const root of roots) {
    if (root.walked) continue;
    root.walked = true;
    addRanges(root);
    let expected = Buffer.from(root.item.record!.prev).toString('hex');
    let s = root.seq - 1;
    let above = root.seq;
    while (s >= from) {
      const cands = bySeq.get(s) ?? [];
      const match = cands.find((c) => c.item.hash === expected);
      if (match) {
        if (!match.forged) match.chainAuth = true;
        if (match.walked) break;
        match.walked = true;
        addRanges(match);
        expected = Buffer.from(match.item.record!.prev).toString('hex');
        above = s;
        s--;
        continue;
      }
      for (const c of cands) {
        if (signedAuth(c)) chainBreaks.set(above, `prev hash does not match seq ${s}`);
        else if (!c.forged) c.forged = `hash does not match the chain from seq ${above}`;
      }
      const range = ranges.find((d) => d.first <= s && s <= d.last);
      if (!range) break;
      expected = Buffer.from(range.prev).toString('hex');
      above = range.first;
      s = range.first - 1;
    }
  }
  const authentic = (n: Node) => !n.forged && (signedAuth(n) || n.chainAuth);

  const authSeqs = nodes.filter(authentic).map((n) => n.seq);
  const top = authSeqs.length ? Math.max(...authSeqs) : from - 1;
  const seqLines: Finding[] = [];
  for (let s = from; s <= top; s++) {
    const cands = bySeq.get(s) ?? [];
    const auth = cands.filter(authentic);
    if (auth.length) {
      const distinct = new Set(auth.map((n) => n.item.hash));
      if (distinct.size > 1) seqLines.push({ kind: 'conflict', seq: s, text: `${distinct.size} different records, each authentic (key reused or device state lost)` });
      else if (auth.length > 1) seqLines.push({ kind: 'duplicated', seq: s, text: `duplicated (${auth.length} identical copies)` });
      for (const c of cands) if (!authentic(c)) seqLines.push({ kind: 'forged', seq: s, text: `forged copy: ${c.forged ?? 'not authentic'}` });
      const rule = auth[0].item.record!.rule;
      if (o.ruleIds && rule !== undefined && !o.ruleIds.has(rule)) seqLines.push({ kind: 'rule', seq: s, text: `rule ${rule} is not in the bundle` });
      if (chainBreaks.has(s)) seqLines.push({ kind: 'chain', seq: s, text: `chain broken: ${chainBreaks.get(s)}` });
      continue;
    }
    if (cands.length) {
      const reason = cands.find((c) => c.forged)?.forged;
      seqLines.push(reason ? { kind: 'forged', seq: s, text: `forged: ${reason}` } : { kind: 'unverified', seq: s, text: 'unverified: not covered by a signed checkpoint' });
      continue;
    }
    const range = ranges.find((d) => d.first <= s && s <= d.last);
    if (range && range.count === range.last - range.first + 1) {
      seqLines.push({ kind: 'dropped', seq: s, text: `dropped by the device (queue full; reported in seq ${range.reportedBy})` });
    } else if (range) {
      seqLines.push({ kind: 'dropped', seq: s, text: `dropped by the device or missing (the device reports ${range.count} of ${seqText(range.first, range.last)} dropped; reported in seq ${range.reportedBy})` });
    } else {
      seqLines.push({ kind: 'missing', seq: s, text: 'missing' });
    }
  }
  // Copies beyond the newest authentic record.
  for (const n of [...nodes].sort((a, b) => a.seq - b.seq || a.item.index - b.item.index)) {
    if (n.seq > top || n.seq < from) {
      seqLines.push(n.forged ? { kind: 'forged', seq: n.seq, text: `forged: ${n.forged}` } : { kind: 'unverified', seq: n.seq, text: n.seq < from ? `unverified: before the first expected seq ${from}` : 'unverified: not covered by a signed checkpoint' });
    }
  }

  // Reordering among the first authentic copy of each seq.
  const firsts = nodes.filter(authentic).sort((a, b) => a.item.index - b.item.index).filter((n, i, all) => all.findIndex((m) => m.seq === n.seq) === i);
  const keep = inOrder(firsts.map((n) => n.seq));
  firsts.forEach((n, i) => {
    if (keep.has(i)) return;
    const before = firsts.slice(0, i).reverse().find((m) => m.seq > n.seq);
    const after = firsts.slice(i + 1).find((m) => m.seq < n.seq);
    seqLines.push({ kind: 'reordered', seq: n.seq, text: before ? `reordered (received after seq ${before.seq})` : `reordered (received before seq ${after!.seq})` });
  });

  // Merge runs of consecutive seqs with the same text.
  seqLines.sort((a, b) => a.seq! - b.seq!);
  const merged: Finding[] = [];
  for (const f of seqLines) {
    const last = merged[merged.length - 1];
    if (last && last.text === f.text && last.kind === f.kind && (last.lastSeq ?? last.seq)! + 1 === f.seq) last.lastSeq = f.seq;
    else merged.push({ ...f });
  }
  findings.sort((a, b) => a.offset! - b.offset!);
  for (const f of merged) findings.push({ ...f, text: `${seqText(f.seq!, f.lastSeq ?? f.seq!)}: ${f.text}` });

  const counts: Partial<Record<ProblemKind | 'dropped', number>> = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + (f.seq !== undefined ? (f.lastSeq ?? f.seq) - f.seq + 1 : 1);
  const problems = findings.filter((f) => f.kind !== 'dropped');
  const records = nodes.length;
  const checkpoints = nodes.filter((n) => n.item.record!.type === 1).length;
  const seqs = nodes.map((n) => n.seq);
  const devices = [...new Set(nodes.map((n) => n.item.record!.device))];
  const head = `${file}: ${records} record${records === 1 ? '' : 's'} (${records - checkpoints} events, ${checkpoints} checkpoints)` +
    (records ? `, seq ${Math.min(...seqs)}–${Math.max(...seqs)}, device ${devices.join('/')}` : '') + `, ${mode} signing`;
  const order: Array<ProblemKind | 'dropped'> = ['malformed', 'forged', 'missing', 'duplicated', 'reordered', 'unverified', 'chain', 'conflict', 'rule', 'dropped'];
  const summary = problems.length
    ? 'FAIL: ' + order.filter((k) => counts[k]).map((k) => `${counts[k]} ${SUMMARY_LABEL[k] ?? k}`).join(', ')
    : `OK: every record authentic, chained and in sequence${counts.dropped ? ` (${counts.dropped} dropped by the device, reported in signed records)` : ''}`;
  const text = [head, ...findings.map((f) => f.text), summary].join('\n') + '\n';
  return { ok: problems.length === 0, records, events: records - checkpoints, checkpoints, mode, findings, counts, text };
}
