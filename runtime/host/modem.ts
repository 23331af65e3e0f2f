/**
 * A cellular modem on a UART, driven by AT commands in the SIMCom SIM800/SIM7000 dialect: the serving cell's id
 * and signal strength (catalogue cell.id, cell.rssi) from `AT+CREG?` and `AT+CSQ`, and a TCP connection that
 * carries the device link's byte stream instead of a serial line (`AT+CIPSTART`, `AT+CIPSEND` with its `>`
 * prompt, `+IPD,<n>:` for received bytes).
 *
 *   bring-up:  AT, ATE0, AT+CREG=2, AT+CSTT="<apn>", AT+CIICR, AT+CIFSR (answers the IP address, no OK)
 *   then:      AT+CIPSTART="TCP","<host>",<port> → OK, CONNECT OK; every `every` ms AT+CREG? and AT+CSQ
 *   sending:   AT+CIPSEND=<n> → "> " → n bytes → SEND OK
 *   unasked:   +IPD,<n>:<n bytes> (received), CLOSED (the peer closed: connect again after `retry` ms)
 *
 * One command is in flight at a time, each with a timeout; a modem that stops answering is brought up again.
 * Bytes for the link wait in a ring buffer while the connection is down (the link's own resends cover loss).
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use; no allocation per byte.
 */
import { sinkSet, type Sink } from './sink.ts';
import { schedAdd, schedAt, type Sched } from './sched.ts';
import { Sig } from './signals.generated.ts';

export interface ModemConfig {
  apn?: string;
  /** Where the link's TCP connection goes (absent: the modem only reports the cell). */
  host?: string;
  port?: number;
  /** ms between cell readings (default 60000), before connecting again (5000), to wait for an answer (10000). */
  every?: number;
  retry?: number;
  timeout?: number;
}

export enum ModemState { OFF = 0, BRINGUP = 1, READY = 2, CONNECTING = 3, CONNECTED = 4 }

export interface Modem {
  cfg: ModemConfig;
  sched: Sched;
  sink: Sink;
  /** Bytes to the modem's UART. */
  write: (buf: Uint8Array, start: number, len: number) => void;
  /** Bytes the TCP connection received (for the link). */
  received: ((buf: Uint8Array, start: number, len: number) => void) | null;
  state: number;
  /** Index into the bring-up list; the command in flight ('' none) and what it waits for. */
  step: number;
  cmd: string;
  line: Uint8Array;
  len: number;
  /** +IPD bytes still to come. */
  ipd: number;
  ipdBuf: Uint8Array;
  ipdLen: number;
  tx: Uint8Array;
  txHead: number;
  txLen: number;
  /** Bytes of the CIPSEND in flight. */
  sending: number;
  out: Uint8Array;
  task: number;
  /** When the command in flight times out; no command before notBefore (a retry's wait). */
  deadline: number;
  notBefore: number;
  lastCell: number;
  /** Counters: commands sent, failed or timed out, bytes sent and received over TCP, connections made. */
  stats: Float64Array;
}

export enum ModemStat { COMMANDS = 0, FAILURES = 1, SENT = 2, RECEIVED = 3, CONNECTS = 4, SIZE = 5 }

function bringUp(m: Modem): string[] {
  return ['AT', 'ATE0', 'AT+CREG=2', 'AT+CSTT="' + (m.cfg.apn || '') + '"', 'AT+CIICR', 'AT+CIFSR'];
}

function send(m: Modem, text: string, t: number): void {
  var i;
  for (i = 0; i < text.length; i++) m.out[i] = text.charCodeAt(i);
  m.out[text.length] = 13;
  m.cmd = text;
  m.deadline = t + (m.cfg.timeout || 10000);
  m.stats[ModemStat.COMMANDS]++;
  m.write(m.out, 0, text.length + 1);
}

/** The modem is lost or refused something: start again after the retry time. */
function restart(m: Modem, t: number): void {
  m.stats[ModemStat.FAILURES]++;
  m.state = ModemState.BRINGUP;
  m.step = 0;
  m.cmd = '';
  m.sending = 0;
  m.ipd = 0;
  m.notBefore = t + (m.cfg.retry || 5000);
}

/** The next thing to ask, when nothing is in flight. */
function next(m: Modem, t: number): void {
  var list;
  if (m.cmd !== '' || t < m.notBefore) return;
  if (m.state === ModemState.BRINGUP) {
    list = bringUp(m);
    if (m.step < list.length) {
      send(m, list[m.step], t);
      return;
    }
    m.state = ModemState.READY;
  }
  if (t - m.lastCell >= (m.cfg.every || 60000)) {
    m.lastCell = t;
    send(m, 'AT+CREG?', t);
    return;
  }
  if (m.state === ModemState.READY && m.cfg.host) {
    m.state = ModemState.CONNECTING;
    send(m, 'AT+CIPSTART="TCP","' + m.cfg.host + '",' + (m.cfg.port || 0), t);
    return;
  }
  if (m.state === ModemState.CONNECTED && m.txLen > 0) {
    m.sending = m.txLen < 512 ? m.txLen : 512;
    send(m, 'AT+CIPSEND=' + m.sending, t);
  }
}

function done(m: Modem, ok: boolean, t: number): void {
  var c = m.cmd;
  m.cmd = '';
  if (!ok) {
    restart(m, t);
    return;
  }
  if (c.substr(0, 11) === 'AT+CIPSTART') {
    m.cmd = c; // OK only accepts the command: wait for CONNECT OK (or FAIL) within the timeout
    m.deadline = t + (m.cfg.timeout || 10000);
    return;
  }
  if (m.state === ModemState.BRINGUP) m.step++;
  if (c === 'AT+CREG?') send(m, 'AT+CSQ', t);
}

/** Reads a decimal integer at line[p…); −1 when none. */
function intAt(m: Modem, p: number): number {
  var v = -1;
  while (p < m.len && m.line[p] >= 48 && m.line[p] <= 57) {
    v = (v < 0 ? 0 : v * 10) + m.line[p] - 48;
    p++;
  }
  return v;
}

/** True when the line starts with `s`. */
function starts(m: Modem, s: string): boolean {
  var i;
  if (m.len < s.length) return false;
  for (i = 0; i < s.length; i++) if (m.line[i] !== s.charCodeAt(i)) return false;
  return true;
}

/** +CREG: n,stat[,"lac","ci"]: the cell id (hex) when registered (stat 1 home, 5 roaming). */
function creg(m: Modem, t: number): void {
  var p = 7;
  var q = 0;
  var ci = 0;
  var c, v, stat;
  while (p < m.len && m.line[p] !== 44) p++;
  stat = intAt(m, p + 1);
  if (stat !== 1 && stat !== 5) return;
  for (; p < m.len && q < 3; p++) if (m.line[p] === 34) q++; // to the opening quote of ci
  if (q < 3) return;
  for (; p < m.len && m.line[p] !== 34; p++) {
    c = m.line[p];
    v = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (v < 0) return;
    ci = ci * 16 + v;
  }
  sinkSet(m.sink, Sig.CELL_ID, ci, t);
}

/** +CSQ: rssi,ber → dBm (−113 + 2·rssi; 99 unknown). */
function csq(m: Modem, t: number): void {
  var n = intAt(m, 6);
  if (n >= 0 && n <= 31) sinkSet(m.sink, Sig.CELL_RSSI, -113 + 2 * n, t);
}

function onLine(m: Modem, t: number): void {
  if (m.len === 0) return;
  if (starts(m, 'OK')) done(m, true, t);
  else if (starts(m, 'ERROR') || starts(m, '+CME ERROR') || starts(m, 'SEND FAIL') || starts(m, 'CONNECT FAIL')) done(m, false, t);
  else if (starts(m, '+CREG: ')) creg(m, t);
  else if (starts(m, '+CSQ: ')) csq(m, t);
  else if (starts(m, 'CONNECT OK') || starts(m, 'ALREADY CONNECT')) {
    m.state = ModemState.CONNECTED;
    m.stats[ModemStat.CONNECTS]++;
    if (m.cmd.substr(0, 11) === 'AT+CIPSTART') m.cmd = '';
  } else if (starts(m, 'SEND OK')) {
    m.txHead = (m.txHead + m.sending) % m.tx.length;
    m.txLen -= m.sending;
    m.stats[ModemStat.SENT] += m.sending;
    m.sending = 0;
    m.cmd = '';
  } else if (starts(m, 'CLOSED')) {
    m.state = ModemState.READY;
    m.notBefore = t + (m.cfg.retry || 5000);
    if (m.sending) m.cmd = '';
    m.sending = 0;
  } else if (m.cmd === 'AT+CIFSR' && m.line[0] >= 48 && m.line[0] <= 57) done(m, true, t);
}

/** The '>' prompt of CIPSEND: the data goes out. */
function prompt(m: Modem): void {
  var first = m.tx.length - m.txHead;
  if (first > m.sending) first = m.sending;
  m.write(m.tx, m.txHead, first);
  if (first < m.sending) m.write(m.tx, 0, m.sending - first);
}

/** Bytes from the modem's UART, at board time t. */
export function modemInput(m: Modem, buf: Uint8Array, start: number, len: number, t: number): void {
  var i, c, n;
  for (i = start; i < start + len; i++) {
    c = buf[i];
    if (m.ipd > 0) {
      m.ipdBuf[m.ipdLen++] = c;
      m.ipd--;
      if (m.ipd === 0 || m.ipdLen === m.ipdBuf.length) {
        m.stats[ModemStat.RECEIVED] += m.ipdLen;
        if (m.received) m.received(m.ipdBuf, 0, m.ipdLen);
        m.ipdLen = 0;
      }
      continue;
    }
    if (c === 10 || c === 13) {
      onLine(m, t);
      m.len = 0;
    } else if (c === 62 && m.len === 0 && m.sending > 0 && m.cmd.substr(0, 10) === 'AT+CIPSEND') {
      prompt(m);
    } else if (c === 58 && starts(m, '+IPD,')) {
      n = intAt(m, 5);
      m.len = 0;
      if (n > 0) m.ipd = n;
    } else if (m.len < m.line.length) {
      m.line[m.len++] = c;
    }
  }
  next(m, t);
}

/** Link bytes to send over the TCP connection; false when the buffer is full (the link resends). */
export function modemSend(m: Modem, buf: Uint8Array, start: number, len: number): boolean {
  var i;
  if (m.txLen + len > m.tx.length) return false;
  for (i = 0; i < len; i++) m.tx[(m.txHead + m.txLen + i) % m.tx.length] = buf[start + i];
  m.txLen += len;
  schedAt(m.sched, m.task, m.sched.now);
  return true;
}

/** The modem's timer: timeouts of the command in flight, the next command. */
function tick(m: Modem): (t: number) => void {
  return function (t: number) {
    if (m.cmd !== '' && t >= m.deadline) restart(m, t);
    next(m, t);
  };
}

export function newModem(cfg: ModemConfig, sched: Sched, sink: Sink, write: (buf: Uint8Array, start: number, len: number) => void, t: number): Modem {
  var m: Modem = {
    cfg: cfg, sched: sched, sink: sink, write: write, received: null, state: ModemState.BRINGUP, step: 0, cmd: '',
    line: new Uint8Array(128), len: 0, ipd: 0, ipdBuf: new Uint8Array(256), ipdLen: 0, tx: new Uint8Array(4096), txHead: 0,
    txLen: 0, sending: 0, out: new Uint8Array(128), task: -1, deadline: Infinity, notBefore: t, lastCell: -Infinity, stats: new Float64Array(ModemStat.SIZE),
  };
  m.task = schedAdd(sched, tick(m), 200, t);
  return m;
}
