/**
 * Event signing modes: a signed bundle's `signing` header (docs/EVENTS.md) and the event writer's configuration.
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use.
 */
/** Every record is a COSE_Sign1 of its own. */
export var SIGNING_PER_EVENT = 0;
/** Records go out bare; a signed checkpoint record covers them through the hash chain. */
export var SIGNING_CHECKPOINT = 1;
