/**
 * Event delivery, device → host: the event writer's queued records go out as EVENT requests, at most
 * EVENT_WINDOW unacknowledged at a time, oldest first; the host's reply acknowledges every record up to a seq,
 * and only then does the writer drop them (at least once: a record leaves the queue only when acknowledged).
 * Without an ack for EVENT_TIMEOUT (doubling to EVENT_BACKOFF_MAX) the agent goes back to the oldest
 * unacknowledged record; after EVENT_TRIES silent rounds it stops until the next HELLO asks for events again.
 * Each EVENT names the seq of the record before it in the queue, so the host acknowledges only what it holds
 * without a hole.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import {
  MSG_EVENT, EQ_RECORD, EQ_PREV, ER_ACK, EVENT_WINDOW, EVENT_TIMEOUT, EVENT_BACKOFF_MAX, EVENT_TRIES, K_STATUS, ST_OK,
  SR_EVENTS_SENT, SR_EVENTS_RESENT,
} from './constants.ts';
import { V_UINT } from './body.ts';
import { begin, kUint, kBytes, sendRequest } from './reply.ts';
import type { LinkState } from './state.ts';

var POS = [0];

/** Reads the unsigned integer at b[POS[0]] and moves past it (the record's own fields are strict CBOR). */
function uintAt(b: Uint8Array): number {
  var p = POS[0];
  var ai = b[p] & 31;
  var n = ai < 24 ? 0 : ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : 8;
  var v = ai < 24 ? ai : 0;
  var i;
  for (i = 1; i <= n; i++) v = v * 256 + b[p + i];
  POS[0] = p + 1 + n;
  return v;
}

/** The seq of a record as the writer hands it over: COSE_Sign1 (payload from byte 9 or 10) or a bare map. */
export function recordSeq(b: Uint8Array): number {
  POS[0] = b[0] === 0xd2 ? (b[7] === 0x58 ? 9 : 10) : 0;
  POS[0]++; // map head
  uintAt(b); // key 0
  uintAt(b); // type
  uintAt(b); // key 1
  uintAt(b); // device
  uintAt(b); // key 2
  return uintAt(b);
}

/** A new session asked for events (or stopped asking): start again from the oldest unacknowledged record. */
export function eventsRestart(a: LinkState, subscribe: boolean): void {
  a.subscribed = subscribe;
  a.evSent = 0;
  a.evTries = 0;
  a.evTimeout = EVENT_TIMEOUT;
  a.evAt = a.now;
}

/** The host's reply to an EVENT. */
export function onEventAck(a: LinkState): void {
  var w = a.writer;
  var before, removed;
  if (!w || a.body.kind[K_STATUS] !== V_UINT || a.body.num[K_STATUS] !== ST_OK || a.body.kind[ER_ACK] !== V_UINT) return;
  before = w.queued();
  w.ack(a.body.num[ER_ACK]);
  removed = before - w.queued();
  a.evSent = a.evSent > removed ? a.evSent - removed : 0;
  a.evTries = 0;
  a.evTimeout = EVENT_TIMEOUT;
  a.evAt = a.now;
}

/** Sends what the window allows; returns ms until the agent needs to look again (Infinity: nothing pending). */
export function eventsPoll(a: LinkState): number {
  var w = a.writer;
  var rec, prev;
  if (!a.subscribed || !w) return Infinity;
  if (a.evSent > 0 && a.now - a.evAt >= a.evTimeout) {
    a.evTries++;
    a.evSent = 0;
    a.evTimeout = a.evTimeout * 2 < EVENT_BACKOFF_MAX ? a.evTimeout * 2 : EVENT_BACKOFF_MAX;
    if (a.evTries >= EVENT_TRIES) {
      a.subscribed = false;
      return Infinity;
    }
    a.stats[SR_EVENTS_RESENT] += 1;
  }
  while (a.evSent < EVENT_WINDOW) {
    rec = w.record(a.evSent);
    if (!rec || recordSeq(rec) > a.handed) break;
    prev = a.evSent === 0 ? 0 : recordSeq(w.record(a.evSent - 1) as Uint8Array);
    begin(a, MSG_EVENT, a.outSeq);
    a.outSeq = (a.outSeq + 1) & 65535;
    kBytes(a, EQ_RECORD, rec, 0, rec.length);
    kUint(a, EQ_PREV, prev);
    sendRequest(a);
    a.evSent++;
    a.evAt = a.now;
    a.stats[SR_EVENTS_SENT]++;
  }
  return a.evSent > 0 ? a.evAt + a.evTimeout - a.now : Infinity;
}
