// The device host's modem driver (runtime/host/modem.ts) against a fake SIM800-class modem speaking AT on the other
// end of a real pseudo-terminal (Debian socat): bring-up, the serving cell's id and signal strength into the sink,
// a TCP connection carrying the device link's bytes both ways (CIPSEND with its '>' prompt, +IPD), and a connection
// the peer closes, opened again after the retry wait.
import { until } from '../harness/until.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, expect, test } from 'vitest';
import { ptyPair, type PtyPair } from '../hil/virtual/pty.ts';
import { newSched, schedRun } from '../runtime/host/sched.ts';
import { newSink } from '../runtime/host/sink.ts';
import { newModem, modemInput, modemSend, ModemState, ModemStat } from '../runtime/host/modem.ts';
import { Sig } from '../runtime/host/signals.generated.ts';
import type { Runtime } from '../runtime/engine/runtime.ts';

const open: Array<{ close(): void }> = [];
afterAll(() => { for (const o of open) o.close(); });

const openPort = (path: string) => new Promise<SerialPort>((res, rej) => { const p = new SerialPort({ path, baudRate: 115200 }, (e) => (e ? rej(e) : res(p))); });

/** A fake modem: answers each AT command as a SIM800 does; what the device sends over TCP is collected. */
function fakeModem(port: SerialPort) {
  const m = { commands: [] as string[], tcp: Buffer.alloc(0), connected: false, expectData: 0 };
  let line = '';
  const say = (s: string) => port.write(`\r\n${s}\r\n`);
  port.on('data', (b: Buffer) => {
    for (const c of b) {
      if (m.expectData > 0) {
        m.tcp = Buffer.concat([m.tcp, Buffer.from([c])]);
        if (--m.expectData === 0) say('SEND OK');
        continue;
      }
      if (c !== 13) { line += String.fromCharCode(c); continue; }
      const cmd = line.trim();
      line = '';
      m.commands.push(cmd);
      if (cmd === 'AT+CIFSR') say('10.64.1.2');
      else if (cmd === 'AT+CREG?') { say('+CREG: 2,1,"00A1","1B2C"'); say('OK'); }
      else if (cmd === 'AT+CSQ') { say('+CSQ: 17,0'); say('OK'); }
      else if (cmd.startsWith('AT+CIPSTART')) { say('OK'); setTimeout(() => { m.connected = true; say('CONNECT OK'); }, 20); }
      else if (cmd.startsWith('AT+CIPSEND=')) { m.expectData = Number(cmd.slice(11)); port.write('\r\n> '); }
      else say('OK');
    }
  });
  return { m, ipd: (data: string) => port.write(`\r\n+IPD,${data.length}:${data}`), closed: () => { m.connected = false; say('CLOSED'); } };
}

test('AT over a pty: cell id and RSSI, link bytes over TCP both ways, a closed connection opened again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-modem-'));
  const pair: PtyPair = await ptyPair(join(dir, 'modem'), join(dir, 'board'));
  open.push(pair);
  const modemEnd = await openPort(pair.a);
  const boardEnd = await openPort(pair.b);
  open.push({ close: () => { modemEnd.close(); boardEnd.close(); } });
  const fake = fakeModem(modemEnd);
  const samples: Array<[number, number]> = [];
  const rt = { set: (s: number, v: number) => { samples.push([s, v]); }, advanceTo() {}, step() {} } as unknown as Runtime;
  const sink = newSink({ runtime: () => rt, account() {} }, () => 0);
  const sched = newSched(4, false);
  const t0 = Date.now();
  const now = () => Date.now() - t0;
  const m = newModem({ apn: 'iot', host: 'events.example', port: 4000, every: 60000, retry: 300, timeout: 5000 }, sched, sink, (buf, s, n) => { boardEnd.write(Buffer.from(buf.subarray(s, s + n))); }, now());
  const got: number[] = [];
  m.received = (buf, s, n) => { got.push(...buf.subarray(s, s + n)); };
  boardEnd.on('data', (b: Buffer) => modemInput(m, new Uint8Array(b), 0, b.length, now()));
  const timer = setInterval(() => schedRun(sched, now(), 8), 10);
  open.push({ close: () => clearInterval(timer) });

  await until('the TCP connection', () => m.state === ModemState.CONNECTED);
  expect(fake.m.commands.slice(0, 6)).toEqual(['AT', 'ATE0', 'AT+CREG=2', 'AT+CSTT="iot"', 'AT+CIICR', 'AT+CIFSR']);
  expect(fake.m.commands).toContain('AT+CIPSTART="TCP","events.example",4000');
  expect(samples).toContainEqual([Sig.CELL_ID, 0x1b2c]);
  expect(samples).toContainEqual([Sig.CELL_RSSI, -113 + 2 * 17]);

  const frame = new Uint8Array(700).map((_, i) => (i * 31) & 255);
  expect(modemSend(m, frame, 0, frame.length)).toBe(true);
  await until('the link bytes at the peer', () => fake.m.tcp.length === frame.length);
  expect(Buffer.compare(fake.m.tcp, Buffer.from(frame))).toBe(0); // in two CIPSENDs (512 + 188)
  expect(fake.m.commands.filter((c) => c.startsWith('AT+CIPSEND='))).toEqual(['AT+CIPSEND=512', 'AT+CIPSEND=188']);
  fake.ipd('\x00hello\x00');
  await until('the bytes from the peer', () => got.length === 7);
  expect(Buffer.from(got).toString('latin1')).toBe('\x00hello\x00');

  fake.closed();
  await until('the connection opened again', () => m.stats[ModemStat.CONNECTS] === 2);
  expect(m.state).toBe(ModemState.CONNECTED);
});
