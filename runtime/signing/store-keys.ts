/**
 * The names under which the event writer persists its state and its queue in the host's store (and the queue's
 * default size): owned here, so the device link can erase them at a factory reset without a writer at hand.
 *
 * Runtime subset: ES5.
 */

/** The writer's sealed state (writer-state.ts). */
export var WRITER_STATE_KEY = 'es';
/** Queue slot i is persisted as QUEUE_KEY + i (event-queue.ts). */
export var QUEUE_KEY = 'eq';
/** Queue slots when the configuration names none. */
export var DEFAULT_QUEUE = 16;
