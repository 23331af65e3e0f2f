/**
 * The device agent's state: one object, allocated once when the agent starts (every buffer sized then), so
 * handling a frame allocates nothing. The agent's modules (reply.ts, upload.ts, activate.ts, events-out.ts,
 * agent.ts) are functions over it.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
import type { Host, Runtime } from '../engine/runtime.ts';
import type { SignedCheck } from '../signing/signed-bundle.ts';
import type { EventWriter } from '../signing/events.ts';
import type { CborIn } from '../signing/cbor.ts';
import type { LinkStore } from './store.ts';
import type { Cobs } from './cobs.ts';
import type { Body } from './body.ts';
import type { SlotInfo, Pointer } from './slots.ts';
import type { Identity } from './identity.ts';
import { engine } from './from-global.ts';

/**
 * The device's identity and limits. A device provisioned over the link (PROVISION, docs/PROVISIONING.md) takes its
 * device id, trust anchor and event key from its own records instead of device/key/seed, which then only serve a
 * device that was given its keys at the factory (null key: not provisioned, the device cannot activate).
 */
export interface LinkConfig {
  /** Device id, 0…2^32−1 (before provisioning over the link). */
  device: number;
  /** The trust anchor: the build public key (32 bytes) bundles must be signed with (factory-installed). */
  key: Uint8Array | null;
  /** The device's event key seed (32 bytes, factory-installed); null: events are not signed or sent. */
  seed: Uint8Array | null;
  /** The device profile bundles must target. */
  profile: string;
  /** Engine name and version for HELLO (e.g. 'espruino 2v25'). */
  engine: string;
  /** Largest raw frame received (default DEFAULT_MAX_FRAME). */
  maxFrame?: number;
  /** Largest bundle per slot (default DEFAULT_SLOT_MAX). */
  slotMax?: number;
  /** Bytes per progress mark (default DEFAULT_GRANULE). */
  granule?: number;
  /** Signature-check units per poll (default DEFAULT_CHECK_UNITS). */
  checkUnits?: number;
  /** Event queue slots (default the writer's). */
  queue?: number;
  /** A native SHA-512 (Espruino: EdgeRule.nativeSha512(require("crypto"))); default the runtime's own. */
  sha512?: ((msg: Uint8Array) => Uint8Array) | null;
  /**
   * Bytes of the sample buffer for injected runs (hardware in the loop, TEST_INJECT_BUFFER on test devices);
   * absent or 0: INJECT is answered UNSUPPORTED. An injected run's records are signed with the event key, so only
   * test devices should turn it on.
   */
  injectBuffer?: number;
}

/** What the agent needs from the board besides storage. */
export interface LinkIo {
  /** Bytes to the host (valid during the call). */
  write(buf: Uint8Array, start: number, len: number): void;
  /** RESET: restart the device (called from poll, after the reply went out). */
  restart(): void;
  /** CONSOLE / the Ctrl-C escape: hand the line to the REPL for ms milliseconds; absent: not supported. */
  console?: (ms: number) => void;
  /** Free memory in the engine's unit; absent: 0. */
  free?: () => number;
  /** Rule outputs and reporting intervals, as the runtime's Host has them. */
  output(id: number, value: number): void;
  interval(ms: number): void;
  /**
   * Optional: each rule event as the runtime emits it (it also goes to the event writer). Not called `emit`:
   * on Espruino every object has an `emit` method (its event emitter), so an absent `emit` would look present.
   */
  event?: (rule: number, severity: number, t: number, values: Float64Array, n: number) => void;
  keepCode?: (source: string) => string;
  /**
   * Optional: the string keepCode() returned at an earlier boot (Espruino: `require("Storage").read(name)`), given to
   * the runtime's load() as Host.keptCode, so a boot into the same bundle and runtime skips translating it again.
   */
  keptCode?: () => string | undefined;
  /**
   * Fills buf with random bytes from the board's hardware source (Espruino: E.hwRand; a virtual device: its host's
   * CSPRNG) and returns true; absent or false: the device cannot make a key (PROVISION answers NO_RANDOM).
   */
  random?: (buf: Uint8Array) => boolean;
  /** Optional: a finer monotonic clock in ms (fractions allowed) for the evaluation statistics; absent: `now`. */
  clock?: () => number;
}

export interface LinkState {
  cfg: LinkConfig;
  io: LinkIo;
  store: LinkStore;
  g: NonNullable<ReturnType<typeof engine>>;
  sha: (msg: Uint8Array) => Uint8Array;
  maxFrame: number;
  slotMax: number;
  granule: number;
  checkUnits: number;
  // receiving
  dec: Cobs;
  r: CborIn;
  body: Body;
  lastRx: number;
  escArmed: boolean;
  escCount: number;
  // sending: raw is a scratch frame, wire its COBS form; the last reply stays in wireReply for a resent request
  raw: Uint8Array;
  p: number;
  mapAt: number;
  count: number;
  wireReply: Uint8Array;
  replyLen: number;
  replyType: number;
  replySeq: number;
  wireEvent: Uint8Array;
  hostMax: number;
  outSeq: number;
  // time
  now: number;
  bootAt: number;
  clockOffset: number;
  restartAt: number;
  // slots
  slots: SlotInfo[];
  ptr: Pointer;
  head: Uint8Array;
  session: number;
  /** Bytes of the upload held beyond its hole: [aheadAt, aheadEnd) (empty when aheadEnd <= aheadAt). */
  aheadAt: number;
  aheadEnd: number;
  // the slot check (boot or activation) in progress
  job: number;
  jobSlot: number;
  jobTrial: number;
  jobFallback: boolean;
  check: SignedCheck | null;
  jobMin: number;
  /** The check mark of the bundle under check (check-mark.ts), and whether it let the signature check be skipped. */
  jobMark: Uint8Array;
  jobKnown: boolean;
  // the last activation's outcome, for the ACTIVATE that asks again
  res: Float64Array;
  resId: Uint8Array;
  // fault of the last failed boot check: code, at, field (code 0: none)
  bootFault: Float64Array;
  // the running bundle, and its finished check (an injected run loads a fresh copy from it)
  rt: Runtime | null;
  activeCheck: SignedCheck | null;
  activeVersion: number;
  host: Host;
  writer: EventWriter | null;
  writerMode: number;
  /** Highest seq the writer has handed over (finished, in order): records above it are not sent yet. */
  handed: number;
  /** Latest sample time the board reported (the event writer's time base). */
  lastT: number;
  // event delivery
  subscribed: boolean;
  evSent: number;
  evAt: number;
  evTimeout: number;
  evTries: number;
  // statistics (SR_* keys)
  stats: Float64Array;
  // provisioning (identity.ts, provision.ts)
  id: Identity;
  /** The event key seed and seal secret in force (own copies; hasSeed false: none). */
  seed: Uint8Array;
  seal: Uint8Array;
  hasSeed: boolean;
  /** Scratch: a secret record being written, random bytes, a key from a request, a statement to sign or check. */
  secret: Uint8Array;
  rnd: Uint8Array;
  cand: Uint8Array;
  stmt: Uint8Array;
  /** The injected run (hardware in the loop), made at the first BEGIN; its state says whether one is in progress. */
  run: InjectRun | null;
}

export var JOB_NONE = 0;
export var JOB_BOOT = 1;
export var JOB_ACTIVATE = 2;

// positions in res
export var RES_STATUS = 0;
export var RES_FAULT = 1;
export var RES_AT = 2;
export var RES_FIELD = 3;
export var RES_VERSION = 4;
export var RES_MIN = 5;
export var RES_VALID = 6;

/** An injected run (runtime/link/inject.ts): its sample ring, counters and the simulator's evaluation state. */
export interface InjectRun {
  id: number;
  state: number;
  wall: boolean;
  origin: number;
  /** Wall-clock mode: the sample time the device's clock stood at when the run began, and that moment. */
  start: number;
  beginNow: number;
  idleAt: number;
  // the sample buffer: a ring of entries as they came on the line
  buf: Uint8Array;
  head: number;
  used: number;
  f8: Uint8Array;
  dv8: DataView;
  dvRaw: DataView;
  // receiving: samples held (next), the last time received, whether a group end came after it
  next: number;
  rxT: number;
  rxEnded: boolean;
  // evaluating, as simulator/replay.ts does: the pending time, whether it waits for its step, the signer's 'now'
  done: number;
  steps: number;
  events: number;
  cur: number;
  pending: boolean;
  emitted: boolean;
  now: number;
  until: number;
  end: number;
  evalUs: number;
  evalMax: number;
  /** Set when the run finished (its counts below stay valid for END_RUN until the next BEGIN). */
  finished: boolean;
  records: number;
  dropped: number;
  fault: number;
  writerFault: number;
  rt: Runtime | null;
  writer: EventWriter | null;
  mainWriter: EventWriter | null;
  mainHanded: number;
}

