/**
 * `edgerule monitor`: watches a device's live event stream for a person — each record decoded (rule name from
 * the sidecar map, attached values with the units the sidecar records, the time), its
 * signature checked with the device's event key from HELLO, its place in the hash chain — and acknowledges as
 * it goes. A lost link or a restarted device is reconnected and HELLOed again; records the device resends are
 * shown once. At the end the whole stream is verified as `edgerule verify` does, and can be saved with --out.
 */
import { parseArgs, styleText } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from '../cli/command.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { MSG_EVENT, MSG_STATS, SR_UPTIME, REPLY } from '../runtime/link/constants.ts';
import { valueText } from '../simulator/units.ts';
import type { SidecarMap } from '../compiler/compile.ts';
import { readKeyFile } from '../signing/keys.ts';
import { verifyEvents } from '../signing/verify-events.ts';
import { openSerial, type Transport } from './link/transport.ts';
import { LinkSession, LinkError } from './link/session.ts';
import type { Body, Frame } from './link/codec.ts';
import { hello, DeviceError, type HelloInfo } from './link/hello.ts';
import { EventCollector, type Received } from './link/events-in.ts';

const SEVERITY = ['info', 'warning', 'critical'];

/** One line per record for a person. */
export function describeRecord(r: Received, map?: SidecarMap): string {
  const rec = r.item.record!;
  const when = Number.isFinite(rec.t) && rec.t > 1e12 ? new Date(rec.t).toISOString() : `t=${rec.t} ms`;
  const sig = r.signature === undefined ? (r.item.signed ? 'signature not checked' : 'unsigned (checkpoint mode)') : r.signature ? 'signature ok' : styleText('red', 'SIGNATURE BAD');
  const chain = r.chain === undefined ? '' : r.chain ? ', chain ok' : `, ${styleText('red', 'CHAIN BROKEN')}`;
  const drops = rec.droppedTotal ? `, device dropped ${rec.droppedTotal} record(s)` : '';
  if (rec.type === 1) return `seq ${rec.seq}  ${when}  checkpoint  (${sig}${chain}${drops})`;
  const info = map?.rules.find((x) => x.id === rec.rule);
  const names = info?.attach ?? [];
  // the units the compiler recorded in the sidecar, shown as the simulator shows them (simulator/units.ts)
  const values = (rec.values ?? []).map((v, i) => `${names[i] ?? `v${i}`}=${v !== v ? 'n/a' : valueText(v, info?.attachUnits?.[i])}`).join(' ');
  return `seq ${rec.seq}  ${when}  ${(SEVERITY[rec.severity ?? 0] ?? rec.severity).padEnd(8)}  ${info?.name ?? `rule#${rec.rule}`}  ${values}  (${sig}${chain}${drops})`;
}

export interface Watch {
  collector: EventCollector;
  hello?: HelloInfo;
  reconnects: number;
  /** A request on the watch's own connection (the port is held exclusively). */
  request(type: number, body: Body): Promise<Body>;
  stop(): Promise<void>;
}

/**
 * Subscribes to a device's events on `port` and keeps the subscription through lost links and restarts:
 * a STATS every `keepaliveMs` finds a dead link (then the port is reopened) or a restarted device (then HELLO
 * again, which also has the device resend what was not acknowledged).
 */
export async function watchEvents(port: string, baud: number, collector: EventCollector, o: { keepaliveMs?: number; log?: (l: string) => void; onHello?: (h: HelloInfo) => void } = {}): Promise<Watch> {
  let transport: Transport | undefined;
  let s: LinkSession | undefined;
  let stopped = false;
  let uptime = 0;
  const w: Watch = {
    collector, reconnects: 0,
    request: (type, body) => s!.request(type, body),
    stop: async () => { stopped = true; clearTimeout(timer); await transport?.close(); },
  };
  let timer: NodeJS.Timeout | undefined;
  const connect = async () => {
    transport = await openSerial(port, baud, 10000);
    const session = new LinkSession(transport, { log: o.log });
    s = session;
    // events right behind the HELLO reply wait until HELLO has told us the device's key
    const early: Frame[] = [];
    let ready = false;
    session.deviceRequest = (f) => (f.type !== MSG_EVENT ? undefined : ready ? collector.onEvent(f.body) : (early.push(f), undefined));
    const h = await hello(session, true);
    if (collector.key && h.eventKey && Buffer.compare(Buffer.from(collector.key), Buffer.from(h.eventKey)) !== 0) throw new DeviceError('the device\'s event key (HELLO) is not the one given with --key');
    collector.key ??= h.eventKey;
    ready = true;
    for (const f of early) session.sendFrame(f.type | REPLY, f.seq, collector.onEvent(f.body));
    uptime = h.uptime;
    w.hello = h;
    o.onHello?.(h);
  };
  const keepalive = async () => {
    if (stopped) return;
    try {
      const st = await s!.request(MSG_STATS, new Map());
      const up = st.get(SR_UPTIME) as number;
      if (up < uptime) {
        o.log?.('the device restarted: HELLO again');
        const h = await hello(s!, true);
        w.hello = h;
      }
      uptime = up;
    } catch (e) {
      if (!(e instanceof LinkError) || stopped) throw e;
      o.log?.(`link lost (${e.message}): reconnecting`);
      w.reconnects++;
      await transport?.close();
      await connect();
    }
    if (!stopped) timer = setTimeout(() => void keepalive().catch((e) => o.log?.(`monitor: ${(e as Error).message}`)), o.keepaliveMs ?? 2000);
  };
  await connect();
  timer = setTimeout(() => void keepalive().catch((e) => o.log?.(`monitor: ${(e as Error).message}`)), o.keepaliveMs ?? 2000);
  return w;
}

export const monitorCommand: Command = {
  summary: 'watch a device\'s live event stream: decoded, signatures and chain checked, acknowledged',
  usage: `usage: edgerule monitor --port <port> [--map <sidecar map>] [--key <device public key>] [--out <events file>] [--count <n>] [--for <s>] [--json]

Asks the device for its events (HELLO), prints each record once as it arrives — rule name from the sidecar map,
values with units, time, signature (checked with the event key the device announces, or --key, which must
match), hash chain — and acknowledges it, so the device can drop it from its queue. Keeps going across a lost
link or a device restart. Ends after --count new records, --for seconds, or Ctrl-C; then verifies the whole
stream as \`edgerule verify\` does (exit code 1 on a problem) and writes it to --out.
  --map <file>     the bundle's sidecar map (<bundle>.map.json) for rule and value names
  --json           one JSON object per record instead of text`,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' }, baud: { type: 'string' }, map: { type: 'string' }, key: { type: 'string' }, out: { type: 'string' },
        count: { type: 'string' }, for: { type: 'string' }, json: { type: 'boolean' },
      },
    });
    if (!values.port) {
      io.error(this.usage);
      return EXIT.USAGE;
    }
    const map = values.map ? (JSON.parse(readFileSync(values.map, 'utf8')) as SidecarMap) : undefined;
    const key = values.key ? readKeyFile(values.key) : undefined;
    const count = values.count ? Number(values.count) : Infinity;
    let seen = 0;
    let finish: () => void = () => {};
    const done = new Promise<void>((r) => { finish = r; });
    const collector = new EventCollector(key?.publicKey, (r) => {
      seen++;
      io.log(values.json ? JSON.stringify({ seq: r.seq, record: r.item.record, signature: r.signature, chain: r.chain }, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)) : describeRecord(r, map));
      if (seen >= count) finish();
    });
    const w = await watchEvents(values.port, values.baud ? Number(values.baud) : 115200, collector, {
      log: (l) => io.error(l),
      onHello: (h) => io.error(`device ${h.device} (${h.engine}, profile ${h.profile}): ${h.active === undefined ? 'no bundle running' : `runs ${h.slots[h.active].id}`}; event key ${h.eventKey ? Buffer.from(h.eventKey).toString('hex').slice(0, 16) + '…' : 'none (not provisioned)'}`),
    });
    if (values.for) setTimeout(finish, Number(values.for) * 1000);
    process.once('SIGINT', finish);
    await done;
    await w.stop();
    const stream = collector.stream();
    if (values.out) writeFileSync(values.out, stream);
    if (!collector.key || !stream.length) {
      io.error(`${collector.bySeq.size} record(s), ${collector.duplicates} resent copies dropped${collector.key ? '' : '; no event key to verify with'}`);
      return EXIT.OK;
    }
    const report = verifyEvents(stream, { publicKey: collector.key, device: w.hello?.device, file: values.out ?? 'stream', from: Math.min(...collector.bySeq.keys()) });
    io.error(`${collector.bySeq.size} record(s), ${collector.duplicates} resent copies dropped, ${w.reconnects} reconnect(s)`);
    io.writeErr(report.text);
    return report.ok ? EXIT.OK : EXIT.CHECK_FAILED;
  },
};
