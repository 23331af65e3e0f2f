/**
 * The host's one timer: a small table of tasks (sensor sampling, the link agent's polls, the modem, debounce
 * checks), each with the board time it is due and an optional period. The board drives it — a setTimeout on
 * Espruino, Timer on Moddable, setTimeout on Node, or a test's virtual clock — by calling schedRun(now) and
 * sleeping for the time it returns.
 *
 * A periodic task runs at its own grid (first, first + every, …) and is told the time it was due, so samples
 * carry grid times. With `catchUp` (a virtual clock that jumps) every missed occurrence runs in time order; a
 * real-time board skips the occurrences it missed (a sensor read now cannot be a reading from the past).
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use; running allocates nothing.
 */

export interface Sched {
  due: Float64Array;
  every: Float64Array;
  fns: Array<((t: number) => void) | null>;
  n: number;
  catchUp: boolean;
  /** Time of the task running now, or of the last run. */
  now: number;
}

export function newSched(capacity: number, catchUp: boolean): Sched {
  var s: Sched = { due: new Float64Array(capacity), every: new Float64Array(capacity), fns: [], n: 0, catchUp: catchUp, now: 0 };
  var i;
  for (i = 0; i < capacity; i++) {
    s.due[i] = Infinity;
    s.fns.push(null);
  }
  return s;
}

/** Adds a task, first due at `first` (Infinity: not yet), then every `every` ms (0: once). Returns its id. */
export function schedAdd(s: Sched, fn: (t: number) => void, every: number, first: number): number {
  var id = s.n++;
  s.fns[id] = fn;
  s.every[id] = every;
  s.due[id] = first;
  return id;
}

/** Makes task `id` due at t (Infinity: off), keeping its period. */
export function schedAt(s: Sched, id: number, t: number): void {
  s.due[id] = t;
}

/** The earliest due time (Infinity: none). */
export function schedNext(s: Sched): number {
  var d = Infinity;
  var i;
  for (i = 0; i < s.n; i++) if (s.due[i] < d) d = s.due[i];
  return d;
}

/**
 * Runs the tasks due at or before `now`, earliest first, at most `budget` of them (so a board can yield to its
 * event loop between runs). Returns the ms until the next is due: 0 when more are due already, Infinity when none.
 */
export function schedRun(s: Sched, now: number, budget: number): number {
  var i, id, d, fn, next;
  while (budget > 0) {
    id = -1;
    d = Infinity;
    for (i = 0; i < s.n; i++) {
      if (s.due[i] < d) {
        d = s.due[i];
        id = i;
      }
    }
    if (id < 0 || d > now) break;
    budget--;
    next = s.every[id] > 0 ? d + s.every[id] : Infinity;
    if (!s.catchUp && next <= now) next = now + s.every[id] - ((now - d) % s.every[id]);
    s.due[id] = next;
    s.now = d;
    fn = s.fns[id];
    if (fn) fn(d);
  }
  next = schedNext(s);
  return next <= now ? 0 : next - now;
}
