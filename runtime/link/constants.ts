/**
 * Every wire fact of the device link (docs/PROTOCOL.md): protocol version, frame layout, message types, body
 * keys, status codes, slot and pointer layouts, default limits and timeouts. The device agent and the host
 * (hil/) both import these; nothing else defines them. Codes and keys are wire format: never renumber, only add.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */

/** Protocol version the agent speaks (HELLO reply key HR_PROTOCOL); a host refuses a device with another major. */
export var LINK_VERSION = 1;

// --- framing ---------------------------------------------------------------------------------------------------
// On the wire every frame is 0x00, COBS(raw frame), 0x00. The raw frame is
//   type u8 | seq u16 LE | body (one CBOR map, may be empty) | CRC-32 (zlib) u32 LE over everything before it.
export var FRAME_DELIM = 0;
export var FRAME_HEADER = 3;
export var FRAME_CRC = 4;
/** Smallest raw frame: header and CRC, no body. */
export var FRAME_MIN = FRAME_HEADER + FRAME_CRC;
/** Largest raw frame the agent receives unless configured otherwise (a 1,024-byte chunk and its envelope). */
export var DEFAULT_MAX_FRAME = 1100;
/** No side may announce a smaller receive limit than this (an event record must fit). */
export var MIN_MAX_FRAME = 600;
/** Largest raw frame anyone may announce (the seq-independent limit of a u16-length world). */
export var MAX_MAX_FRAME = 65535;

/** Bit 7 of the type byte marks a reply; a reply carries its request's type and seq. */
export var REPLY = 0x80;

// --- message types: host → device requests ---------------------------------------------------------------------
export var MSG_HELLO = 0x01;
export var MSG_BEGIN = 0x02;
export var MSG_CHUNK = 0x03;
export var MSG_VERIFY = 0x04;
export var MSG_ACTIVATE = 0x05;
export var MSG_CONFIRM = 0x06;
export var MSG_STATS = 0x07;
export var MSG_CLOCK = 0x08;
export var MSG_RESET = 0x09;
export var MSG_CONSOLE = 0x0a;
/** Hardware-in-the-loop: begin an injected run, or samples with their times (the device's own sensors ignored). */
export var MSG_INJECT = 0x10;
/** End of an injected run: the device finishes evaluating and answers with its counts. */
export var MSG_END_RUN = 0x11;
/** Install the trust anchor on an unprovisioned device, which makes its own event key (docs/PROVISIONING.md). */
export var MSG_PROVISION = 0x12;
/** Make a new event key (a command signed by the trust anchor); the last record under the old key announces it. */
export var MSG_ROTATE_EVENT_KEY = 0x13;
/** Replace the trust anchor by a new build key, signed by the current one, with a higher anchor version. */
export var MSG_ROTATE_TRUST = 0x14;
/** Authenticated factory reset (signed by the trust anchor): erase the identity and secrets; unprovisioned again. */
export var MSG_FACTORY_RESET = 0x15;

// --- message types: device → host requests (the host replies with the type | REPLY and the same seq) ------------
export var MSG_EVENT = 0x40;
/** A line of device text (the agent sends one when it starts: LOG_BOOT); the host does not answer it. */
export var MSG_LOG = 0x41;

/** The first device-initiated type: types below are host requests. */
export var DEVICE_REQUESTS = 0x40;

// --- body keys ----------------------------------------------------------------------------------------------------
/** Every reply: its status (ST_*). */
export var K_STATUS = 0;

// HELLO request
export var HQ_NONCE = 1;          // bstr 8…32: echoed in the reply
export var HQ_MAX_FRAME = 2;      // uint: the largest raw frame the host receives
export var HQ_FLAGS = 3;          // uint: HELLO_EVENTS
export var HELLO_EVENTS = 1;      // flag: send me event records
// HELLO reply
export var HR_NONCE = 1;          // bstr: the request's nonce
export var HR_PROTOCOL = 2;       // uint: LINK_VERSION
export var HR_FORMAT = 3;         // uint: the runtime's bundle format version
export var HR_ENGINE = 4;         // text: engine name and version
export var HR_DEVICE = 5;         // uint: device id
export var HR_EVENT_KEY = 6;      // bstr 32: the device's event public key (absent: not provisioned)
export var HR_MAX_FRAME = 7;      // uint: the largest raw frame the device receives
export var HR_SLOTS = 8;          // array of 2 slot arrays [state, id bstr, size, next, version (−1 unknown)]
export var HR_ACTIVE = 9;         // uint: active slot, or NO_SLOT
export var HR_TRIAL = 10;         // uint: 1 while the active bundle runs on trial
export var HR_FREE = 11;          // uint: free memory in the engine's own unit (bytes; variables on Espruino)
export var HR_PROFILE = 12;       // text: the device profile
export var HR_CATALOGUE = 13;     // uint: the runtime's signal catalogue hash
export var HR_KEY_ID = 14;        // bstr 8: the trust anchor's key id (absent: not provisioned)
export var HR_BOOTS = 15;         // uint: restarts since the store was made
export var HR_UPTIME = 16;        // uint: ms since this boot
export var HR_MIN_VERSION = 17;   // uint: lowest bundle version the device accepts next
export var HR_CHECKING = 18;      // uint: 1 while a slot check (boot or activation) runs
export var HR_FAULT = 19;         // array [code, at, field]: why the last boot check failed (absent: none); code
                                  // FAULT_SLOT_STATUS + a status (ST_CRC, ST_HASH, …) when the slot failed before the signature check
export var HR_SLOT_MAX = 20;      // uint: largest bundle a slot holds
export var HR_ANCHOR_VERSION = 21; // uint: the trust anchor's version (absent: not provisioned over the link)
export var HR_KEY_EPOCH = 22;     // uint: the event key's epoch, 0 at provisioning, +1 per rotation (absent: as 21)
export var HR_RUN = 23;           // uint: the injected run in progress (absent: none)
export var HR_RESET_FROM = 24;    // uint: the device id a factory reset erased (absent: provisioned, or never reset)
// slot array positions inside HR_SLOTS
export var SA_STATE = 0;
export var SA_ID = 1;
export var SA_SIZE = 2;
export var SA_NEXT = 3;
export var SA_VERSION = 4;

// BEGIN request / reply
export var BQ_ID = 1;             // bstr BUNDLE_ID_BYTES: the bundle id (SHA-512 prefix of the signed bundle) = session id
export var BQ_SIZE = 2;           // uint: bundle bytes
export var BQ_CRC = 3;            // uint: CRC-32 of the bundle
export var BR_NEXT = 1;           // uint: next offset the device expects (0, or where an interrupted upload stopped)
export var BR_SLOT = 2;           // uint: the slot being written
export var BR_CHUNK = 3;          // uint: largest chunk data the device takes in one frame

// CHUNK request / reply
export var CQ_OFFSET = 1;         // uint
export var CQ_DATA = 2;           // bstr
export var CR_NEXT = 1;           // uint: next offset expected (the first byte the device does not hold)
export var CR_AHEAD = 2;          // uint: with CR_AHEAD_END, bytes the device already holds beyond a hole …
export var CR_AHEAD_END = 3;      // uint: … [CR_AHEAD, CR_AHEAD_END): the host resends only the hole

// VERIFY request / reply (whole-slot CRC and id hash, before any activation)
export var VQ_ID = 1;
export var VR_NEXT = 1;           // uint: with ST_INCOMPLETE, where the upload stands

// ACTIVATE request / reply
export var AQ_ID = 1;
export var AQ_TRIAL = 2;          // uint: 1 = trial (reverts at the next restart unless confirmed)
export var AR_FAULT = 1;          // uint: the runtime's fault code (signed-faults.ts / faults.ts)
export var AR_AT = 2;             // uint: byte offset in the signed bundle
export var AR_FIELD = 3;          // uint: field id (signed-faults.ts FLD_*)
export var AR_VERSION = 4;        // uint: the candidate's version (when its header was readable)
export var AR_MIN_VERSION = 5;    // uint: the lowest version the device accepted
export var AR_ALREADY = 6;        // uint: 1 when the bundle was already active

// CONFIRM request
export var FQ_ID = 1;

// STATS reply
export var SR_UPTIME = 1;
export var SR_FRAMES = 2;         // frames received with a good CRC
export var SR_CRC_ERRORS = 3;
export var SR_FRAMING_ERRORS = 4; // overlong or badly stuffed frames
export var SR_MALFORMED = 5;      // good CRC, unreadable body
export var SR_DUP_CHUNKS = 6;     // chunks below the next expected offset (answered, not written)
export var SR_GAP_CHUNKS = 7;     // chunks beyond it (answered with the offset expected)
export var SR_QUEUE = 8;          // event records waiting for the host's ack
export var SR_DROPPED = 9;        // event records dropped from the full queue since provisioning
export var SR_SAMPLES = 10;       // samples the board reported evaluating
export var SR_EVAL_US = 11;       // total evaluation time of those samples, µs
export var SR_EVAL_MAX_US = 12;   // longest single evaluation, µs
export var SR_RUNTIME_FAULT = 13; // fault of the running bundle (0 none)
export var SR_FREE = 14;
export var SR_EVENTS_SENT = 15;   // EVENT frames sent (first sends and resends)
export var SR_EVENTS_RESENT = 16;
export var SR_ACTIVE = 17;
export var SR_TRIAL = 18;
export var SR_WRITER_FAULT = 19;  // the event writer's fault code (0 none)
export var SR_NEXT_SEQ = 20;      // seq the event writer gives its next record (records below it were made)

// CLOCK request / reply
export var KQ_UNIX_MS = 1;        // uint: the host's wall clock (ms since 1970)
export var KR_DEVICE_MS = 1;      // uint: the device's monotonic clock when the request was handled
export var KR_OFFSET_MS = 2;      // int: the wall-clock offset the device held before (absent: none)

// RESET request
export var RQ_MODE = 1;           // uint: RESET_RESTART
export var RESET_RESTART = 0;

// CONSOLE request
export var OQ_MS = 1;             // uint: how long the REPL owns the line

// PROVISION request / reply
export var PQ_ANCHOR = 1;         // bstr 32: the build public key to trust
export var PQ_DEVICE = 2;         // uint: the device id to take
export var PQ_NONCE = 3;          // bstr 16…32: the host's challenge, covered by the proof of possession
export var PR_DEVICE = 1;         // uint: the device id
export var PR_EVENT_KEY = 2;      // bstr 32: the device's event public key
export var PR_PROOF = 3;          // bstr 64: signature by that key over the provisioning statement (provision.ts)
export var PR_ANCHOR_VERSION = 4; // uint
export var PR_EPOCH = 5;          // uint: the event key's epoch
export var PR_ALREADY = 6;        // uint: 1 when the device was already provisioned so (nothing was changed)
export var PR_ANCHOR_ID = 7;      // bstr 8: with ST_PROVISIONED, the key id of the anchor the device already has

// ROTATE_EVENT_KEY request / reply
export var XQ_DEVICE = 1;         // uint: the device id (the statement names it)
export var XQ_EPOCH = 2;          // uint: the epoch of the key to retire (the device's current one)
export var XQ_SIGNATURE = 3;      // bstr 64: the trust anchor's signature over the rotation statement
export var XQ_NONCE = 4;          // bstr 16…32: covered by the proof of possession
export var XR_EPOCH = 1;          // uint: the new key's epoch
export var XR_EVENT_KEY = 2;      // bstr 32: the new event public key
export var XR_SEQ = 3;            // uint: seq of the rotation record (the last one under the old key)
export var XR_PROOF = 4;          // bstr 64: the new key's signature over the rotation proof statement
export var XR_ALREADY = 5;        // uint: 1 when this rotation was done before (the answer repeats it)

// ROTATE_TRUST request / reply
export var TQ_ANCHOR = 1;         // bstr 32: the new build public key
export var TQ_VERSION = 2;        // uint: its anchor version (above the current one)
export var TQ_SIGNATURE = 3;      // bstr 64: the current anchor's signature over the trust statement
export var TR_VERSION = 1;        // uint: the anchor version now in force
export var TR_ALREADY = 2;        // uint: 1 when this anchor was already in force

// FACTORY_RESET request / reply
export var ZQ_DEVICE = 1;         // uint: the device id (the statement names it)
export var ZQ_EVENT_KEY = 2;      // bstr 32: the device's event public key in force (the statement names it: no replay)
export var ZQ_FLAGS = 3;          // uint: RESET_DISCARD_EVENTS, or 0
export var ZQ_NONCE = 4;          // bstr 16…32: the host's nonce, in the statement; the reset record keeps it
export var ZQ_SIGNATURE = 5;      // bstr 64: the trust anchor's signature over the reset statement
export var RESET_DISCARD_EVENTS = 1; // flag: erase event records no host has acknowledged (else: UNSENT while any remain)
export var ZR_DEVICE = 1;         // uint: the device id that was erased
export var ZR_QUEUED = 2;         // uint: with ST_UNSENT, records not acknowledged; with ST_OK, records erased unsent
export var ZR_NEXT_SEQ = 3;       // uint: with ST_UNSENT, the seq the writer gives its next record
export var ZR_ALREADY = 4;        // uint: 1 when this reset (the same nonce) was done before

// EVENT request (device → host) / reply
export var EQ_RECORD = 1;         // bstr: one event record as the event writer handed it over (COSE_Sign1 or bare map)
export var EQ_PREV = 2;           // uint: seq of the record before it in the device's queue (0: it is the oldest unacked)
export var ER_ACK = 1;            // uint: the host has every record up to this seq

// INJECT request / reply (hardware-in-the-loop; docs/PROTOCOL.md, "Injected runs")
export var IQ_RUN = 1;            // uint: the run id (the host's random u32 for this run)
export var IQ_FROM = 2;           // uint: index of the first sample in IQ_SAMPLES (the device counts samples from 0)
export var IQ_SAMPLES = 3;        // bstr: sample entries (below)
export var IQ_ORIGIN = 4;         // int: present: BEGIN the run; ms added to every sample time in the run's event records
export var IQ_CLOCK = 5;          // uint: with IQ_ORIGIN: INJECT_TIME (default) or INJECT_WALL (the device's own clock)
export var IQ_START = 6;          // float/int: with IQ_ORIGIN and INJECT_WALL: the sample time the device's clock starts at
export var IR_RUN = 1;            // uint: the run id (a reply from another run is not this run's)
export var IR_NEXT = 2;           // uint: the next sample index the device expects (= samples it holds)
export var IR_FREE = 3;           // uint: free bytes in its sample buffer
export var IR_DONE = 4;           // uint: samples evaluated so far
export var IR_BUFFER = 5;         // uint: the sample buffer's size in bytes
export var INJECT_TIME = 0;       // sample times come from the host (bit-exact with the simulator)
export var INJECT_WALL = 1;       // the device stamps samples with its own clock (wall-clock mode)
// A sample entry: tag u8 | [time f64 LE, if tag bit 7] | value f64 LE. Tag bits 0–6: the catalogue signal id.
// The tag TAG_GROUP_END (no time, no value) says the samples of the current time are complete: evaluate them now
// (otherwise the device waits for the next time, as the simulator steps a time when the next one begins).
export var TAG_TIME = 0x80;
export var TAG_SIGNAL = 0x7f;
export var TAG_GROUP_END = 0x7f;
export var SAMPLE_BYTES = 9;      // tag and value
export var TIME_BYTES = 8;

// END_RUN request / reply
export var NQ_RUN = 1;            // uint: the run id
export var NQ_SAMPLES = 2;        // uint: samples the host sent in all (the device must hold exactly these)
export var NQ_UNTIL = 3;          // float/int: run the clock on to this sample time after the last sample (absent: no further)
export var NR_RUN = 1;            // uint: the run id
export var NR_NEXT = 2;           // uint: samples received
export var NR_DONE = 3;           // uint: samples evaluated
export var NR_STEPS = 4;          // uint: evaluation instants (distinct sample times stepped)
export var NR_RECORDS = 5;        // uint: event records the run made (seq 1 … this)
export var NR_EVENTS = 6;         // uint: rule events among them
export var NR_DROPPED = 7;        // uint: records dropped from the run's full queue
export var NR_EVAL_US = 8;        // uint: evaluation time of the run's samples, µs
export var NR_EVAL_MAX_US = 9;    // uint: longest evaluation of one sample time, µs
export var NR_FAULT = 10;         // uint: the run's rule runtime fault (0 none)
export var NR_WRITER_FAULT = 11;  // uint: the run's event writer fault (0 none)
export var NR_END = 12;           // float/int: the sample time the run ended at

// LOG (device → host, not answered)
export var LQ_TEXT = 1;           // text: the line
export var LQ_BOOTS = 2;          // uint: with a boot line: restarts since the store was made
export var LOG_BOOT = 'boot';     // the text of the line the agent sends when it starts

// --- status codes ------------------------------------------------------------------------------------------------
export var ST_OK = 0;
export var ST_PENDING = 1;        // a slot check is running: ask again
export var ST_UNKNOWN = 2;        // unknown message type
export var ST_MALFORMED = 3;      // body unreadable or a required key missing
export var ST_NO_SESSION = 4;     // CHUNK/VERIFY without a BEGIN for this id since the last restart
export var ST_TOO_BIG = 5;        // the bundle is larger than a slot
export var ST_STORAGE = 6;        // the storage refused a write
export var ST_INCOMPLETE = 7;     // the slot does not hold the whole bundle yet
export var ST_CRC = 8;            // the slot's bytes do not match the declared CRC-32
export var ST_HASH = 9;           // the slot's bytes do not hash to the bundle id
export var ST_REFUSED = 10;       // the bundle failed a check (AR_FAULT, AR_AT, AR_FIELD say which)
export var ST_TRIAL = 11;         // a trial activation is waiting for CONFIRM: no upload until then
export var ST_NOT_FOUND = 12;     // no slot holds this bundle id
export var ST_UNSUPPORTED = 13;   // a reserved message this device does not implement
export var ST_UNPROVISIONED = 14; // no trust anchor: the device cannot check bundles
export var ST_BUSY = 15;          // another slot check is running
export var ST_PROVISIONED = 16;   // already provisioned with another anchor or device id (PR_ANCHOR_ID names it)
export var ST_BAD_KEY = 17;       // a public key that proves nothing (small order, not a point) or not 32 bytes
export var ST_SIGNATURE = 18;     // the command's signature does not verify with the current trust anchor
export var ST_STALE = 19;         // an anchor version or key epoch that is not the next one (a replayed command)
export var ST_NO_RANDOM = 20;     // the board offers no random source: the device cannot make a key
export var ST_NO_RUN = 21;        // INJECT/END_RUN for a run the device does not have (abandoned, or it restarted)
export var ST_UNSENT = 22;        // FACTORY_RESET: event records no host has acknowledged remain (ZR_QUEUED)

/** Boot faults below the signature check: this plus the slot status (ST_CRC, ST_HASH, ST_INCOMPLETE, ST_NOT_FOUND). */
export var FAULT_SLOT_STATUS = 256;

// --- slots ------------------------------------------------------------------------------------------------------
export var NO_SLOT = 255;
/** Bytes of the bundle id: the first 16 bytes of SHA-512 of the signed bundle file. */
export var BUNDLE_ID_BYTES = 16;
// slot states in HELLO
export var SLOT_EMPTY = 0;
export var SLOT_PARTIAL = 1;
export var SLOT_COMPLETE = 2;
export var SLOT_ACTIVE = 3;

// Slot file: header | bundle bytes | progress marks (one byte per granule, 0xFF unwritten, 0x00 written, in order).
//   0 magic 'E','R','S','1'   4 bundle id (16)   20 size u32 LE   24 CRC-32 of the bundle u32 LE   28 granule u16 LE
//   30 0xFFFF   32 CRC-32 of bytes 0…31 u32 LE   36 bundle bytes …
export var SLOT_HEADER = 36;
export var SH_ID = 4;
export var SH_SIZE = 20;
export var SH_CRC = 24;
export var SH_GRANULE = 28;
export var SH_CHECK = 32;
export var SLOT_MAGIC = 0x31535245; // 'ERS1' read as u32 LE
/** Bytes per progress mark unless configured otherwise. */
export var DEFAULT_GRANULE = 256;
/** Largest bundle a slot holds unless configured otherwise. */
export var DEFAULT_SLOT_MAX = 65536;

// Slot pointer: two records ('lp0', 'lp1'); the valid one with the higher generation wins. Writing the other one is
// the commit point of every activation, confirmation and revert.
//   0 layout version u8 (2)   1 active slot u8 (NO_SLOT: none)   2 trial u8   3 0   4 generation u32 LE
//   8 lowest acceptable version u32 LE (highest version ever confirmed)   12 boots u32 LE
//   16 check mark (16): the first 16 bytes of SHA-512(trust anchor ‖ bundle id) of the bundle that passed the whole
//      check, signature included, under that anchor (activate.ts; zeros: none)   32 CRC-32 of 0…31 u32 LE
// A layout 1 record (20 bytes, CRC-32 of 0…15 at 16, no mark; earlier runtimes wrote it) reads as one without a mark.
export var POINTER_BYTES = 36;
export var POINTER_VERSION = 2;
export var PTR_ACTIVE = 1;
export var PTR_TRIAL = 2;
export var PTR_GEN = 4;
export var PTR_FLOOR = 8;
export var PTR_BOOTS = 12;
export var PTR_MARK = 16;
export var PTR_CHECK = 32;
export var MARK_BYTES = 16;
export var POINTER_V1_BYTES = 20;
export var PTR_V1_CHECK = 16;
export var POINTER_KEYS = ['lp0', 'lp1'];

// --- provisioning records (small records, apart from the bundle slots; docs/PROVISIONING.md) -------------------
// Identity: two records ('pi0', 'pi1') like the slot pointer; the valid one with the higher generation is in force.
//   0 layout version u8 (1)   1 flags u8 (ID_RESET)   2 with ID_RESET: nonce length u8   3 0   4 generation u32   8 device id u32   12 anchor version u32   16 key epoch u32
//   20 trust anchor (32)   52 previous trust anchor (32; zeros: none)   84 CRC-32 of 0…83 u32
// A reset record (flag ID_RESET, written by FACTORY_RESET) says the device is unprovisioned: it keeps the device id
// it erased at 8 and the reset command's nonce at 20 (its length at 2), nothing else.
export var IDENTITY_BYTES = 88;
export var IDENTITY_VERSION = 1;
export var ID_FLAGS = 1;
export var ID_NONCE_LEN = 2;
export var ID_RESET = 1;
export var ID_GEN = 4;
export var ID_DEVICE = 8;
export var ID_ANCHOR_VERSION = 12;
export var ID_EPOCH = 16;
export var ID_ANCHOR = 20;
export var ID_PREV_ANCHOR = 52;
export var ID_CHECK = 84;
export var IDENTITY_KEYS = ['pi0', 'pi1'];
// Device secret: two records ('pk0', 'pk1'), key epoch e in 'pk' + (e & 1), written before the identity names e.
//   0 layout version u8 (1)   1…3 0   4 epoch u32   8 seq of the record announcing this key u32 lo, 12 hi (0: none)
//   16 event key seed (32)   48 seal secret (32, the same in every epoch)   80 CRC-32 of 0…79 u32
export var SECRET_BYTES = 84;
export var SECRET_VERSION = 1;
export var SK_EPOCH = 4;
export var SK_ANNOUNCE = 8;
export var SK_SEED = 16;
export var SK_SEAL = 48;
export var SK_CHECK = 80;
export var SECRET_KEYS = ['pk0', 'pk1'];

// --- device-side timing (ms of the board's monotonic clock) ------------------------------------------------------
/** Unacknowledged EVENT frames in flight. */
export var EVENT_WINDOW = 4;
/** Resend unacknowledged events after this long, doubling up to EVENT_BACKOFF_MAX. */
export var EVENT_TIMEOUT = 1000;
export var EVENT_BACKOFF_MAX = 8000;
/** Stop sending events after this many timeouts in a row without an ack, until the next HELLO. */
export var EVENT_TRIES = 6;
/** Signature-check units per poll (runtime/signing/crypto/ed25519.ts). */
export var DEFAULT_CHECK_UNITS = 16;
/** After this much line silence, three Ctrl-C (0x03) bytes before any 0x00 hand the line to the REPL. */
export var CONSOLE_ESCAPE_IDLE = 1000;
export var CONSOLE_ESCAPE_MS = 300000;
export var CTRL_C = 3;
/** An injected run with no INJECT or END_RUN for this long is abandoned: the device goes back to its sensors. */
export var INJECT_IDLE = 30000;
/**
 * The sample buffer test devices use for injected runs (LinkConfig.injectBuffer). Injection is off unless a board
 * sets one: the run's records are signed with the device's event key, so only test devices should accept it.
 */
export var TEST_INJECT_BUFFER = 4096;
/** The smallest sample buffer a board may configure (one full INJECT frame's samples must fit). */
export var MIN_INJECT_BUFFER = 1024;
/** Sample entries evaluated per poll at most (the line stays served between slices). */
export var INJECT_SLICE = 128;
/** Event queue slots of an injected run's writer; a time is evaluated only while at most half of them are taken. */
export var RUN_QUEUE = 16;
