/**
 * Flash throughput of the device link: a 32 KB signed bundle flashed to the virtual device (Node engine, behind a
 * real pty) through the relay paced to 115200 baud 8N1 — 11,520 bytes/s, a pty has no line rate of its own — clean
 * and with one bit flipped per 10,000 bytes (1e-4 per byte, both directions). Figure: bundle bytes per second of
 * the upload (BEGIN's reply to the last chunk's reply; median of the runs) and its share of the line's 11,520 B/s;
 * target ≥ 85 % (mcumgr/SMP gets ~3 KB/s on the same line, shared/DEVICES.md). Also the whole flash (HELLO to the
 * confirming HELLO, with the slot check) of that bundle and of the 1.6 KB rule library.
 *
 *   npm run bench   (this section alone: npm run build && node --import ./cli/register-ts.mjs bench/link.bench.ts [--runs N])
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevice, signedLibrary, largeBundle } from '../harness/link.ts';
import { Relay } from '../hil/relay/relay.ts';
import { flash } from '../hil/link/flash.ts';
import { median } from './stats.ts';

const BAUD = 115200;
const LINE = BAUD / 10;

export interface LinkRow {
  bench: string;
  bundle: number;
  runs: number;
  ok: number;
  payloadBps: number;
  lineShare: string;
  flashS: number;
  resentBytes: number;
  target?: string;
  pass?: boolean;
}

export async function benchLink(o: { runs?: number; points?: number } = {}): Promise<LinkRow[]> {
  const runs = o.runs ?? 3;
  const d = await startDevice('node', { slotMax: 131072 });
  const rows: LinkRow[] = [];
  let version = 0;
  try {
    const big = await largeBundle(o.points ?? 8000);
    for (const [name, flip, bundle] of [['clean', 0, big], ['1e-4 per byte', 1e-4, big], ['clean, rule library', 0, undefined]] as const) {
      const rates: number[] = [];
      const totals: number[] = [];
      let ok = 0;
      let resent = 0;
      let size = 0;
      for (let i = 0; i < runs; i++) {
        const r = await Relay.start({ device: d.port, port: join(d.o.dir, `bench-relay-${version}`), baud: BAUD, faults: { flip, drop: 0, dup: 0 }, seed: 100 + i });
        try {
          const bytes = await signedLibrary({ version: ++version }, bundle);
          size = bytes.length;
          const t0 = performance.now();
          const res = await flash(`v${version}`, bytes, { port: r.port, baud: BAUD });
          totals.push((performance.now() - t0) / 1000);
          if (res.ok) ok++;
          rates.push((res.uploadedBytes * 1000) / res.uploadMs);
          resent += res.counts.resentBytes;
        } finally {
          await r.stop();
        }
      }
      const bps = median(rates);
      const timed = bundle !== undefined;
      rows.push({
        bench: `flash at 115200 baud, ${name}`, bundle: size, runs, ok, payloadBps: Math.round(bps), lineShare: `${((bps / LINE) * 100).toFixed(1)} %`,
        flashS: Math.round(median(totals) * 100) / 100, resentBytes: resent,
        ...(timed ? { target: '≥ 85 % of 11,520 B/s', pass: bps / LINE >= 0.85 && ok === runs } : {}),
      });
    }
  } finally {
    await d.stop();
  }
  return rows;
}

export function formatRows(rows: LinkRow[]): string {
  const head = ['bench', 'bundle B', 'runs ok', 'payload B/s', 'of 11,520 B/s', 'whole flash s', 'resent B', 'target'];
  const body = rows.map((r) => [r.bench, String(r.bundle), `${r.ok}/${r.runs}`, String(r.payloadBps), r.lineShare, r.flashS.toFixed(2), String(r.resentBytes), r.target ? `${r.target}: ${r.pass ? 'PASS' : 'MISS'}` : '']);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i])).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line), '', 'mcumgr/SMP over a UART at 115200: ~3,000 B/s (zephyr #53559), 26 % of the line.'].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--runs');
  console.log(formatRows(await benchLink({ runs: at > 0 ? Number(process.argv[at + 1]) : undefined })));
}
