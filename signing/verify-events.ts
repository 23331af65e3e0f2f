/**
 * Host verification of a device's events file: every signature and checkpoint, the hash chain and the
 * sequence. The report names, by sequence number, exactly which records are forged, missing, duplicated,
 * reordered or unverified, and which the device itself reported as dropped.
 *
 * Authentication: a COSE_Sign1 record is authentic when its signature verifies with the device key. A bare
 * record (checkpoint mode) is authentic when the hash chain leads to it from an authentic signed record:
 * walking down from each signed record, record s−1 must hash to record s's `prev`; across a range the device
 * reported as dropped, the walk continues at `first − 1` with the range's `prev`. A bare record no walk
 * reaches is unverified; one whose hash differs from what the chain demands is forged. Identical copies of a
 * record share its verdict: a retransmitted copy is a duplicate, never a forgery.
 *
 * Streaming, in bounded memory: items are read in chunks (event-record.ts) and kept only while their sequence
 * numbers are within WINDOW of the newest authentic signed record; older ones are judged and let go (their
 * authentic hashes are remembered for WINDOW more sequence numbers, for chain links and late copies). A file
 * of any length is checked with at most about 2 × WINDOW records in memory (MAX_PENDING), and gaps are reported
 * as ranges, never walked number by number. Within the window (any file of up to WINDOW records) the verdicts
 * are those of a check over the whole file at once.
 */
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { verifyBytes } from './ed.ts';
import { eventItems, memorySource, type ByteSource, type DropRange, type Item, type Stopped } from './event-record.ts';
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
  /** Sequence numbers kept in memory behind the newest authentic signed record (default WINDOW). */
  window?: number;
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
  /** At most MAX_LINES of them; `counts` counts every one. */
  findings: Finding[];
  counts: Partial<Record<ProblemKind | 'dropped', number>>;
  /** Nothing could be read: the file is not an events file at all (reading stopped at byte 0). */
  unreadable: boolean;
  /** Most records held in memory at once (bounded by about 2 × window). */
  peakPending: number;
  text: string;
}

/** Sequence numbers kept in memory behind the newest authentic signed record. */
export const WINDOW = 65536;
/** Findings kept for the report text; further ones are counted only. */
const MAX_LINES = 10000;

interface Node {
  seq: number;
  index: number;
  signed: boolean;
  sigOk: boolean;
  hash: string;
  prev: string;
  device: number;
  type: number;
  rule?: number;
  drops: DropRange[];
  /** Why this copy cannot be authentic whatever the chain says. */
  intrinsic?: string;
  /** intrinsic, or the chain's reason (recomputed by every walk). */
  forged?: string;
  chainAuth: boolean;
  walked: boolean;
}

interface Range extends DropRange { reportedBy: number; prevHex: string }

const SUMMARY_LABEL: Partial<Record<ProblemKind | 'dropped', string>> = { chain: 'chain broken', conflict: 'conflicting', rule: 'unknown rule' };
const ORDER: Array<ProblemKind | 'dropped'> = ['malformed', 'forged', 'missing', 'duplicated', 'reordered', 'unverified', 'chain', 'conflict', 'rule', 'dropped'];

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

class EventsVerifier {
  private readonly from: number;
  private readonly window: number;
  private readonly pending = new Map<number, Node[]>();
  private pendingCount = 0;
  peakPending = 0;
  /** Every seq ≤ done has been judged. */
  private done: number;
  /** Authentic hashes of judged seqs (the last `window` of them): chain links into judged records, late copies. */
  private readonly judged = new Map<number, Array<{ hash: string; signed: boolean }>>();
  private ranges: Range[] = [];
  /** Highest authentic seq judged, and highest seq of an authentic signed record seen. */
  private topJudged = -Infinity;
  private hiSigned = -Infinity;
  private anyBare = false;
  private lines: Finding[] = [];
  private malformed: Finding[] = [];
  readonly counts: Partial<Record<ProblemKind | 'dropped', number>> = {};
  records = 0;
  checkpoints = 0;
  private seqMin = Infinity;
  private seqMax = -Infinity;
  private readonly devices = new Set<number>();
  private sinceCheck = 0;

  constructor(private readonly o: VerifyOptions) {
    this.from = o.from ?? 1;
    this.window = o.window ?? WINDOW;
    this.done = this.from - 1;
  }

  get mode(): SigningMode {
    return this.o.signing ?? (this.anyBare ? 'checkpoint' : 'per-event');
  }

  private count(kind: ProblemKind | 'dropped', n: number): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + n;
  }

  /** A finding about seqs a…b: counted, and kept (merged into the previous one when it continues it). */
  private line(kind: ProblemKind | 'dropped', a: number, b: number, text: string): void {
    this.count(kind, b - a + 1);
    const last = this.lines[this.lines.length - 1];
    if (last && last.kind === kind && last.text === text && last.lastSeq! + 1 === a) last.lastSeq = b;
    else if (this.lines.length < MAX_LINES) this.lines.push({ kind, seq: a, lastSeq: b, text });
  }

  malformedItem(offset: number, text: string): void {
    this.count('malformed', 1);
    if (this.malformed.length < MAX_LINES) this.malformed.push({ kind: 'malformed', offset, text });
  }

  add(item: Item): void {
    if (!item.record) {
      this.malformedItem(item.offset, `byte ${item.offset}: malformed record: ${item.error}`);
      return;
    }
    const r = item.record;
    this.records++;
    if (r.type === 1) this.checkpoints++;
    this.seqMin = Math.min(this.seqMin, r.seq);
    this.seqMax = Math.max(this.seqMax, r.seq);
    if (this.devices.size < 9) this.devices.add(r.device);
    if (!item.signed) this.anyBare = true;
    const n: Node = {
      seq: r.seq, index: item.index, signed: item.signed, sigOk: item.signed ? verifyBytes(item.signature!, item.tbs!, this.o.publicKey) : false,
      hash: item.hash, prev: Buffer.from(r.prev).toString('hex'), device: r.device, type: r.type, rule: r.rule, drops: r.drops,
      chainAuth: false, walked: false,
    };
    if (this.o.device !== undefined && r.device !== this.o.device) n.intrinsic = `names device ${r.device}, the key belongs to device ${this.o.device}`;
    else if (item.signed && !n.sigOk) n.intrinsic = 'signature does not verify';
    else if (!item.signed && r.type === 1) n.intrinsic = 'checkpoint without a signature';
    else if (!item.signed && this.mode === 'per-event') n.intrinsic = 'unsigned record in a per-event stream';
    n.forged = n.intrinsic;
    if (n.seq <= this.done) {
      this.late(n);
      return;
    }
    const list = this.pending.get(n.seq);
    if (list) list.push(n);
    else this.pending.set(n.seq, [n]);
    this.pendingCount++;
    this.peakPending = Math.max(this.peakPending, this.pendingCount);
    if (this.signedAuth(n)) this.hiSigned = Math.max(this.hiSigned, n.seq);
    // Judged in batches of half a window, so each record is walked over a few times at most.
    if (++this.sinceCheck >= 4096 || this.pendingCount > 2 * this.window) {
      this.sinceCheck = 0;
      if (this.hiSigned - this.window >= this.done + this.window / 2) this.judgeUpTo(this.hiSigned - this.window);
      if (this.pendingCount > 2 * this.window) this.giveUpOldest();
    }
  }

  private signedAuth(n: Node): boolean {
    return n.signed && n.sigOk && !n.forged;
  }

  private authentic(n: Node): boolean {
    return !n.forged && (this.signedAuth(n) || n.chainAuth);
  }

  /** A copy of a seq that was judged already: compared with the authentic record remembered for it, if any. */
  private late(n: Node): void {
    const after = `arrived after seq ${n.seq} was checked`;
    if (n.seq < this.from) {
      this.line(n.forged ? 'forged' : 'unverified', n.seq, n.seq, n.forged ? `forged: ${n.forged}` : `unverified: before the first expected seq ${this.from}`);
      return;
    }
    const known = this.judged.get(n.seq);
    const same = known?.some((k) => k.hash === n.hash);
    if (n.forged) this.line('forged', n.seq, n.seq, `forged copy: ${n.forged}`);
    else if (same) this.line('duplicated', n.seq, n.seq, `duplicated (a copy ${after})`);
    else if (this.signedAuth(n) && known) this.line('conflict', n.seq, n.seq, `different records, each authentic (key reused or device state lost; one ${after})`);
    else if (this.signedAuth(n)) this.line('reordered', n.seq, n.seq, `reordered (${after})`);
    else this.line('unverified', n.seq, n.seq, `unverified: ${after}`);
  }

  private addRanges(n: Node): void {
    for (const d of n.drops) {
      if (!this.ranges.some((x) => x.first === d.first && x.last === d.last && x.count === d.count)) {
        this.ranges.push({ ...d, reportedBy: n.seq, prevHex: Buffer.from(d.prev).toString('hex') });
      }
    }
  }

  private rangeAt(s: number): Range | undefined {
    return this.ranges.find((d) => d.first <= s && s <= d.last);
  }

  /** The chain walks over every record in memory, from each authentic signed record down, newest first. */
  private walk(): Map<number, string> {
    const chainBreaks = new Map<number, string>();
    const roots: Node[] = [];
    for (const list of this.pending.values()) {
      for (const n of list) {
        n.chainAuth = false;
        n.walked = false;
        n.forged = n.intrinsic;
      }
    }
    for (const list of this.pending.values()) for (const n of list) if (this.signedAuth(n)) roots.push(n);
    roots.sort((a, b) => b.seq - a.seq);
    for (const root of roots) {
      if (root.walked) continue;
      root.walked = true;
      this.addRanges(root);
      let expected = root.prev;
      let s = root.seq - 1;
      let above = root.seq;
      while (s >= this.from) {
        if (s <= this.done) {
          // Into judged records: the link holds when it matches the authentic record remembered there.
          const known = this.judged.get(s) ?? [];
          if (known.some((k) => k.hash === expected)) break;
          if (known.some((k) => k.signed)) chainBreaks.set(above, `prev hash does not match seq ${s}`);
        } else {
          const cands = this.pending.get(s) ?? [];
          const matches = cands.filter((c) => c.hash === expected);
          if (matches.length) {
            for (const m of matches) if (!m.forged) m.chainAuth = true;
            const match = matches[0];
            if (match.walked) break;
            match.walked = true;
            this.addRanges(match);
            expected = match.prev;
            above = s;
            s--;
            continue;
          }
          for (const c of cands) {
            if (this.signedAuth(c)) chainBreaks.set(above, `prev hash does not match seq ${s}`);
            else if (!c.forged) c.forged = `hash does not match the chain from seq ${above}`;
          }
        }
        const range = this.rangeAt(s);
        if (!range) break;
        expected = range.prevHex;
        above = range.first;
        s = range.first - 1;
      }
    }
    return chainBreaks;
  }

  /** Findings for absent seqs a…b (all below the newest authentic record): dropped by the device, or missing. */
  private gap(a: number, b: number): void {
    let s = a;
    while (s <= b) {
      const range = this.rangeAt(s);
      if (!range) {
        const next = this.ranges.filter((d) => d.first > s).reduce((m, d) => Math.min(m, d.first), Infinity);
        const end = Math.min(b, next - 1);
        this.line('missing', s, end, 'missing');
        s = end + 1;
        continue;
      }
      // Up to the range's end, or to where a range found first by rangeAt() takes over.
      const idx = this.ranges.indexOf(range);
      const takeover = this.ranges.slice(0, idx).filter((d) => d.first > s && d.first <= range.last).reduce((m, d) => Math.min(m, d.first), Infinity);
      const end = Math.min(b, range.last, takeover - 1);
      if (range.count === range.last - range.first + 1) this.line('dropped', s, end, `dropped by the device (reported in seq ${range.reportedBy})`);
      else this.line('dropped', s, end, `dropped by the device or missing (the device reports ${range.count} of ${seqText(range.first, range.last)} dropped; reported in seq ${range.reportedBy})`);
      s = end + 1;
    }
  }

  /** Findings for a present seq; remembers its authentic hashes. */
  private judgeSeq(s: number, chainBreaks: Map<number, string>): void {
    const cands = this.pending.get(s)!;
    const auth = cands.filter((n) => this.authentic(n));
    if (auth.length) {
      const distinct = new Set(auth.map((n) => n.hash));
      if (distinct.size > 1) this.line('conflict', s, s, `${distinct.size} different records, each authentic (key reused or device state lost)`);
      else if (auth.length > 1) this.line('duplicated', s, s, `duplicated (${auth.length} identical copies)`);
      for (const c of cands) if (!this.authentic(c)) this.line('forged', s, s, `forged copy: ${c.forged ?? 'not authentic'}`);
      const rule = auth[0].rule;
      if (this.o.ruleIds && rule !== undefined && !this.o.ruleIds.has(rule)) this.line('rule', s, s, `rule ${rule} is not in the bundle`);
      if (chainBreaks.has(s)) this.line('chain', s, s, `chain broken: ${chainBreaks.get(s)}`);
      this.judged.set(s, auth.map((n) => ({ hash: n.hash, signed: n.signed })));
      this.topJudged = Math.max(this.topJudged, s);
      return;
    }
    const reason = cands.find((c) => c.forged)?.forged;
    if (reason) this.line('forged', s, s, `forged: ${reason}`);
    else this.line('unverified', s, s, 'unverified: not covered by a signed checkpoint');
  }

  /** Records in memory that no longer can be put in order with the others: those not in the longest in-order run. */
  private reordered(limit: number): void {
    const firsts: Node[] = [];
    const seen = new Set<number>();
    const all = [...this.pending.values()].flat().filter((n) => this.authentic(n)).sort((a, b) => a.index - b.index);
    for (const n of all) if (!seen.has(n.seq)) { seen.add(n.seq); firsts.push(n); }
    const keep = inOrder(firsts.map((n) => n.seq));
    firsts.forEach((n, i) => {
      if (keep.has(i) || n.seq > limit) return;
      let before: Node | undefined;
      for (let j = i - 1; j >= 0 && !before; j--) if (firsts[j].seq > n.seq) before = firsts[j];
      let after: Node | undefined;
      for (let j = i + 1; j < firsts.length && !after; j++) if (firsts[j].seq < n.seq) after = firsts[j];
      this.line('reordered', n.seq, n.seq, before ? `reordered (received after seq ${before.seq})` : `reordered (received before seq ${after!.seq})`);
    });
  }

  /** Judges every seq ≤ limit (no further than the newest authentic record) and lets their records go. */
  private judgeUpTo(limit: number): void {
    const chainBreaks = this.walk();
    let top = this.topJudged;
    for (const list of this.pending.values()) for (const n of list) if (this.authentic(n) && n.seq > top) top = n.seq;
    const upTo = Math.min(limit, top);
    if (!(upTo > this.done)) return;
    const present = [...this.pending.keys()].filter((s) => s <= upTo).sort((a, b) => a - b);
    let s = this.done + 1;
    for (const p of present) {
      if (p > s) this.gap(s, p - 1);
      this.judgeSeq(p, chainBreaks);
      s = p + 1;
    }
    if (s <= upTo) this.gap(s, upTo);
    this.reordered(upTo);
    for (const p of present) {
      this.pendingCount -= this.pending.get(p)!.length;
      this.pending.delete(p);
    }
    this.done = upTo;
    for (const k of this.judged.keys()) {
      if (k > upTo - this.window) break; // judged in increasing order, so the oldest come first
      this.judged.delete(k);
    }
    this.ranges = this.ranges.filter((d) => d.last > upTo - this.window);
  }

  /** Too many records and no signed record to judge them by: the oldest half is reported as it stands. */
  private giveUpOldest(): void {
    const seqs = [...this.pending.keys()].sort((a, b) => a - b);
    const cut = seqs[Math.floor(seqs.length / 2)];
    this.judgeUpTo(cut);
    for (const s of seqs) {
      if (s > cut || !this.pending.has(s)) continue;
      for (const n of this.pending.get(s)!) this.line(n.forged ? 'forged' : 'unverified', s, s, n.forged ? `forged: ${n.forged}` : 'unverified: not covered by a signed checkpoint');
      this.pendingCount -= this.pending.get(s)!.length;
      this.pending.delete(s);
    }
    this.done = Math.max(this.done, cut);
  }

  finish(stopped: Stopped | undefined): EventsReport {
    if (stopped) this.malformedItem(stopped.offset, `byte ${stopped.offset}: malformed record, reading stopped (${stopped.unread} bytes not read): ${stopped.message}`);
    this.judgeUpTo(Infinity);
    // What is left lies beyond the newest authentic record (or before `from`): it cannot be placed.
    const rest = [...this.pending.values()].flat().sort((a, b) => a.seq - b.seq || a.index - b.index);
    for (const n of rest) {
      this.line(n.forged ? 'forged' : 'unverified', n.seq, n.seq, n.forged ? `forged: ${n.forged}` :
        n.seq < this.from ? `unverified: before the first expected seq ${this.from}` : 'unverified: not covered by a signed checkpoint');
    }
    const seqLines = [...this.lines].sort((a, b) => a.seq! - b.seq!);
    const merged: Finding[] = [];
    for (const f of seqLines) {
      const last = merged[merged.length - 1];
      if (last && last.text === f.text && last.kind === f.kind && last.lastSeq! + 1 === f.seq) last.lastSeq = f.lastSeq;
      else merged.push({ ...f });
    }
    const findings: Finding[] = [...this.malformed].sort((a, b) => a.offset! - b.offset!);
    for (const f of merged) findings.push({ ...f, lastSeq: f.lastSeq === f.seq ? undefined : f.lastSeq, text: `${seqText(f.seq!, f.lastSeq!)}: ${f.text}` });
    const problems = ORDER.filter((k) => k !== 'dropped' && this.counts[k]);
    const records = this.records;
    const devices = [...this.devices];
    const file = this.o.file ?? 'events';
    const head = `${file}: ${records} record${records === 1 ? '' : 's'} (${records - this.checkpoints} events, ${this.checkpoints} checkpoints)` +
      (records ? `, seq ${this.seqMin}–${this.seqMax}, device ${devices.slice(0, 8).join('/')}${devices.length > 8 ? '/…' : ''}` : '') + `, ${this.mode} signing`;
    const summary = problems.length
      ? 'FAIL: ' + ORDER.filter((k) => this.counts[k]).map((k) => `${this.counts[k]} ${SUMMARY_LABEL[k] ?? k}`).join(', ')
      : `OK: every record authentic, chained and in sequence${this.counts.dropped ? ` (${this.counts.dropped} dropped by the device, reported in signed records)` : ''}`;
    const kept = this.lines.length >= MAX_LINES || this.malformed.length >= MAX_LINES;
    const text = [head, ...findings.map((f) => f.text), ...(kept ? [`(only the first ${MAX_LINES} findings are listed; the summary counts all)`] : []), summary].join('\n') + '\n';
    return {
      ok: problems.length === 0, records, events: records - this.checkpoints, checkpoints: this.checkpoints, mode: this.mode, findings,
      counts: this.counts, unreadable: records === 0 && stopped?.offset === 0, peakPending: this.peakPending, text,
    };
  }
}

/** Verifies an events file from any byte source, streaming. */
export function verifyEventsFrom(src: ByteSource, o: VerifyOptions): EventsReport {
  const v = new EventsVerifier(o);
  const items = eventItems(src);
  for (let next = items.next(); ; next = items.next()) {
    if (next.done) return v.finish(next.value);
    v.add(next.value);
  }
}

export function verifyEvents(bytes: Uint8Array, o: VerifyOptions): EventsReport {
  return verifyEventsFrom(memorySource(bytes), o);
}

/** Verifies an events file on disk, read in chunks: memory stays bounded whatever its size. */
export function verifyEventsFile(path: string, o: VerifyOptions): EventsReport {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    return verifyEventsFrom({ size, read: (into, at, length, position) => readSync(fd, into, at, length, position) }, o);
  } finally {
    closeSync(fd);
  }
}
