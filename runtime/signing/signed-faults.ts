/**
 * Fault codes of signed bundles and of the event writer (runtime/engine/faults.ts owns 0…39). With each fault the
 * runtime reports a byte offset and a field id (FLD_* below) so the host can name what was wrong; signing/signed-fault-text.ts
 * turns them into sentences. Codes and field ids are wire format: never renumber.
 */
export var SF_TRUNCATED = 40;      // input ends inside a CBOR item (or a declared length runs past the end)
export var SF_TYPE = 41;           // a CBOR item of another major type, tag, length or value than the format expects
export var SF_NONCANONICAL = 42;   // non-shortest length/integer, indefinite length, reserved or simple value
export var SF_OVERSIZED = 43;      // a field longer or larger than its limit (or an integer ≥ 2^53)
export var SF_HEADER = 44;         // protected header: wrong algorithm, crit list, or labels missing/out of order
export var SF_TRAILING = 45;       // bytes after the COSE_Sign1
export var SF_WRONG_KEY = 46;      // signed with another key (kid differs from the provisioned build key)
export var SF_SIGNATURE = 47;      // the signature does not verify
export var SF_ROLLBACK = 48;       // version lower than the active bundle's
export var SF_PROFILE = 49;        // targets another device profile
export var SF_CATALOGUE = 50;      // signal catalogue hash differs from this runtime's (or from the bundle header)
export var SF_BAD_KEY = 51;        // provisioned key not a 32-byte key that proves something, event seed not 32 bytes, device id out of range
export var SF_QUEUE_FULL = 52;     // event queue holds only critical records: a critical record could not be queued
export var SF_STATE = 53;          // persisted writer state or queue slot unreadable (ignored, writer restarted clean)
export var SF_BAD_EVENT = 54;      // emit() with a rule id, severity or value count out of range
export var SF_ARGUMENT = 55;       // an argument of the wrong type: bytes not a Uint8Array, trust/config/host not an object, …

/** Field ids: where a fault was found. */
export var FLD_NONE = 0;
export var FLD_TAG = 1;            // COSE_Sign1 tag 18
export var FLD_ARRAY = 2;          // COSE_Sign1 array of 4
export var FLD_PROTECTED = 3;      // protected header bstr
export var FLD_HEADER_MAP = 4;     // protected header map
export var FLD_ALG = 5;            // label 1: algorithm
export var FLD_CRIT = 6;           // label 2: crit
export var FLD_KID = 7;            // label 4: key id
export var FLD_VERSION = 8;        // bundle version
export var FLD_PROFILE = 9;        // device profile name
export var FLD_CATALOGUE = 10;     // signal catalogue hash
export var FLD_SIGNING = 11;       // event signing mode
export var FLD_UNPROTECTED = 12;   // unprotected header map
export var FLD_PAYLOAD = 13;       // payload bstr
export var FLD_SIGNATURE = 14;     // signature bstr
export var FLD_END = 15;           // after the COSE_Sign1
export var FLD_KEY = 16;           // provisioned key
export var FLD_INPUT = 17;         // the bytes given to check
export var FLD_TRUST = 18;         // the trust object (or its profile)
export var FLD_ACTIVE = 19;        // the trust object's active version
export var FLD_RECORD = 20;        // event record map
export var FLD_REC_TYPE = 21;
export var FLD_REC_DEVICE = 22;
export var FLD_REC_SEQ = 23;
export var FLD_REC_TIME = 24;
export var FLD_REC_RULE = 25;
export var FLD_REC_SEVERITY = 26;
export var FLD_REC_VALUES = 27;
export var FLD_REC_PREV = 28;
export var FLD_REC_DROPPED = 29;
export var FLD_REC_DROP_TOTAL = 30;
export var FLD_STATE = 31;         // persisted writer state
export var FLD_SLOT = 32;          // persisted queue slot
export var FLD_HOST = 33;          // the host object (a bundle's host: the bytecode runtime's ARGUMENT 23)
export var FLD_CONFIG = 34;        // the event writer's configuration
