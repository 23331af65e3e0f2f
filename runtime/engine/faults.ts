/**
 * Fault codes: why the runtime refused a bundle. The runtime reports a code and a byte offset into the bundle;
 * compiler/faults.ts turns them into sentences for people. Codes are wire format: never renumber.
 */
export var F_OK = 0;
export var F_TRUNCATED = 1;        // shorter than its header or its declared sections
export var F_BAD_MAGIC = 2;        // not an edgerule bundle
export var F_BAD_VERSION = 3;      // bundle format version this runtime does not read
export var F_CATALOGUE = 4;        // built against another signal catalogue
export var F_OVERSIZED = 5;        // a count exceeds the runtime's limits
export var F_LENGTH = 6;           // declared total length disagrees with the sections
export var F_BAD_UNIT = 7;         // unit record: bad kind, id, or code range
export var F_BAD_DEP = 8;          // dependency list names a value that does not exist
export var F_BAD_OPCODE = 9;       // unknown opcode
export var F_BAD_OPERAND = 10;     // instruction runs past the end of its unit
export var F_BAD_VALUE = 11;       // value id out of range, or STALE on a derived value, or STORE to another unit's value
export var F_BAD_SLOT = 12;        // state slot range past the state size, or overlapping another instruction's
export var F_BAD_CONST = 13;       // constant index out of range
export var F_BAD_GEOMETRY = 14;    // geometry index out of range, or geometry record malformed
export var F_BAD_JUMP = 15;        // jump target not a later instruction of the unit, or jumps not nested
export var F_STACK_UNDERFLOW = 16; // an instruction pops more than the stack holds
export var F_STACK_OVERFLOW = 17;  // stack deeper than the runtime's fixed limit
export var F_STACK_DIRTY = 18;     // END or JZ reached with values left on the stack
export var F_NO_END = 19;          // unit does not finish with END
export var F_BAD_SCOPE = 20;       // rule-only op in a derived unit or the reverse
export var F_BAD_COUNT = 21;       // n operand out of range (attachments, steps, ring size)
export var F_TRANSLATE = 22;       // the engine could not instantiate the translated code
export var F_HOST = 23;            // the host lacks a callback the bundle calls (emit, output, interval)
export var F_ARGUMENT = 24;        // load()/verify() given bytes that are not a Uint8Array, or load() a host that is not an object
