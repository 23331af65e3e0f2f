/**
 * Load-time translation of *verified* bytecode into the source of one JS function, instantiated once with
 * `new Function`. This is how the runtime meets its speed targets on Espruino, where an interpreter's
 * dispatch costs up to 188× the same logic as direct JS (shared/ENGINES.md): after translation, evaluating a
 * rule costs about what the hand-written rule would.
 *
 * Safety: only verified code reaches here, and the generated text contains nothing from the bundle but
 * small integers (slot, value, unit, constant indices). Constants stay in K[] as raw IEEE doubles, never
 * decimal text (Espruino parses number literals inexactly).
 *
 * The generated function closes over:
 *   V values   U update times   S state   K constants   M reader masks per signal   N unit wake-up times
 *   R registers (R[0] start time, R[1] wake-up asked by an out-of-line op, R[2] lower bound of all wake-ups)
 *   E attachment buffer   H host   F out-of-line ops (out-of-line-ops.ts)   B boxes of geometry sets (degrees)
 * and returns { step, set }. A unit runs when one of its inputs was set (its dirty bit) or its wake-up time has come (N). Stateful operators are
 * evaluated every time their unit runs (no short-circuit), so their state never depends on evaluation order.
 * Pure operators are written from their JS text in the instruction table (PURE_JS), the same text the
 * compiler folds constants with; only units with an op the table marks as waking keep a wake-up time.
 */
import { Program } from './verify.ts';
import { decodeInstruction, newInstruction } from './instruction.ts';
import { Readers, dirtyWords } from './readers.ts';
import { readConstant } from './format.ts';
import { OPTAB, PURE_JS, Col, Flag, Use, Op } from './isa.generated.ts';

/**
 * The dirty words, closure variables of the translated code (declared first: Espruino finds names in declaration
 * order): unit u is bit u & 31 of q<u >> 5>. Every unit starts marked, so the first step evaluates everything once.
 */
function dirtyWordsSource(nUnits: number): string {
  var text = '';
  for (var w = 0; w < dirtyWords(nUnits); w++) {
    var bits = 0;
    for (var u = w * 32; u < nUnits && u < w * 32 + 32; u++) bits |= 1 << (u & 31);
    text += (w > 0 ? ',' : 'var ') + 'q' + w + '=' + bits;
  }
  return text + ';';
}

/**
 * step(t): runs, in order, each unit whose dirty bit is set or whose wake-up time has come. Guards come in groups
 * of eight behind one test of their bits, and `z` (R[2] <= t, R[2] a lower bound of every wake-up time) says
 * whether any wake-up can be due at all, so a step costs about what runs.
 */
function stepSource(nUnits: number, timedAt: boolean[]): string {
  var body = '';
  for (var g = 0; g < nUnits; g += 8) {
    var mask = 0;
    var anyTimed = false;
    var inner = '';
    for (var u = g; u < g + 8 && u < nUnits; u++) {
      mask |= 1 << (u & 31);
      if (timedAt[u]) anyTimed = true;
      inner += 'if(q' + (u >> 5) + '&' + (1 << (u & 31)) + (timedAt[u] ? '||z&&N[' + u + ']<=t' : '') + ')u' + u + '(t);';
    }
    body += 'if(q' + (g >> 5) + '&' + mask + (anyTimed ? '||z' : '') + '){' + inner + '}';
  }
  return 'function(t){var z;if(R[0]!==R[0])R[0]=t;z=R[2]<=t;' + body + '}';
}

/** set(s, v, t): stores a sample and ORs the signal's reader mask (M, readers.ts signalMasks) into the dirty words. */
function setSource(nSignals: number, nw: number): string {
  var marks = '';
  for (var w = 0; w < nw; w++) marks += 'q' + w + '|=M[' + (nw > 1 ? 's*' + nw + '+' + w : 's') + '];';
  return 'function(s,v,t){if(!(s>=0&&s<' + nSignals + '))return false;V[s]=v;U[s]=t;' + marks + 'return true;}';
}

/**
 * `readers`: the units that read each value (readers.ts). `spans`: also call H.state(rule, active, t) when a
 * rule's condition changes (Host.state). `probes`: also call H.probe(at, value) with every operand a unit reads
 * as a condition, keyed by the code offset of the instruction that produced it (Host.probe, for coverage).
 * Without probes the generated text is exactly what it was before the hook existed.
 */
export function translate(p: Program, readers: Readers, spans: boolean, probes?: boolean, watched?: boolean, sets?: number[]): string {
  var out: string[] = [];
  var timedAt: boolean[] = []; // per unit: does it keep a wake-up time
  var se: string[] = [];     // symbolic stack: expression text
  var sb: boolean[] = [];    // … is it a JS boolean
  var ss: boolean[] = [];    // … is it a plain array read or temp (safe to repeat)
  var sp = 0;
  var tn = 0;
  var maxTemp = 0;
  var wasBool = false;
  var targets: number[] = [];   // open jump targets, innermost last (Espruino cannot assign array.length)
  var open = 0;
  var operands: string[] = [];  // a pure op's operand texts, in push order
  var ins = newInstruction();
  var so: number[] = [];     // symbolic stack: code offset of the instruction that pushed it (probes only)
  var opAt = 0;
  // An INSIDE test, or an OR of them on one position, is pushed behind a test of the box around its geometries
  // (degrees, B[4 × set …], filled at load by runtime.ts from `sets`): far from every geofence no call is made.
  var sg: string[] = [];     // symbolic stack: its geometries ('1,2,3'), '' for anything else
  var sr: string[] = [];     // … its text without the box test
  var sy: string[] = [];     // … latitude and longitude texts (plain reads)
  var sx: string[] = [];
  var sk: number[] = [];     // … the constant it is as a literal, or −1
  var boxKeys: string[] = [];
  if (!sets) sets = [];

  function push(e: string, isBool: boolean, isSimple: boolean): void {
    se[sp] = e; sb[sp] = isBool; ss[sp] = isSimple; sg[sp] = ''; sk[sp] = -1;
    if (probes) so[sp] = opAt; // only probing hosts pay for the bookkeeping (Espruino: every array slot costs variables)
    sp++;
  }
  function temp(): string {
    var name = 'x' + tn;
    tn++;
    if (tn > maxTemp) maxTemp = tn; // this unit's temps
    return name;
  }
  /** Pops an expression; a non-simple one is first stored in a temp so it can be repeated and is evaluated here. */
  function popSimple(): string {
    sp--;
    wasBool = sb[sp];
    if (ss[sp]) return se[sp];
    var x = temp();
    out.push(x + '=' + se[sp] + ';');
    return x;
  }
  function popRaw(): string {
    sp--;
    wasBool = sb[sp];
    return se[sp];
  }
  function popBool(): string {
    var e = popRaw();
    var b = wasBool ? e : '!!' + e;
    if (!probes) return b;
    // Probed: evaluated here into a temp. Operands are pure or temps already, so evaluating earlier (and both
    // sides of AND/OR) reads the same values and changes no state.
    var x = temp();
    out.push(x + '=' + b + ';H.probe(' + so[sp] + ',' + x + ');');
    wasBool = true;
    return x;
  }
  function popNum(): string {
    var e = popRaw();
    return wasBool ? '(' + e + '?1:0)' : e;
  }
  /** Result of a stateful op: a fresh temp, pushed as simple. */
  function result(isBool: boolean): string {
    var x = temp();
    push(x, isBool, true);
    return x;
  }
  function slotRef(s: number, k: number): string {
    return 'S[' + (s + k) + ']';
  }
  /** Lets the unit wake at time `at` (an expression) if that is earlier than what it already asked for. */
  function wake(at: string): string {
    return 'if(' + at + '<d)d=' + at + ';';
  }
  /** Marks every unit that reads value v: one OR per dirty word holding readers (readers.ts). */
  function markReaders(v: number): string {
    var marks = '';
    var word = -1;
    var mask = 0;
    for (var j = readers.start[v]; j <= readers.start[v + 1]; j++) {
      var unit = j < readers.start[v + 1] ? readers.units[j] : -1;
      if (word >= 0 && unit >> 5 !== word) { marks += 'q' + word + '|=' + mask + ';'; mask = 0; }
      if (unit >= 0) { word = unit >> 5; mask |= 1 << (unit & 31); }
    }
    return marks;
  }
  /**
   * Constant k as the code reads it: a small integer as its literal (parsed exactly by every engine, and cheaper
   * than reading K[k]: interpreters take it from the code), anything else (fractions, −0, NaN, large) from K[k],
   * whose raw IEEE bits no decimal text could carry through Espruino's parser.
   */
  function constant(k: number): string {
    var v = readConstant(p.dv, p.constOff, p.n32, k);
    if (v === Math.floor(v) && v > -2147483648 && v < 2147483648 && (v !== 0 || 1 / v > 0)) return v < 0 ? '(' + v + ')' : '' + v;
    return 'K[' + k + ']';
  }
  /** Index of the box around geometries `key` ('1,2,3'), registered in `sets` as [count, g…] the first time. */
  function boxIndex(key: string): number {
    for (var b = 0; b < boxKeys.length; b++) if (boxKeys[b] === key) return b;
    boxKeys[b] = key;
    var at = sets!.length;
    sets!.push(0);
    var g = 0;
    for (var c = 0; c <= key.length; c++) {
      if (c === key.length || key.charAt(c) === ',') { sets!.push(g); sets![at]++; g = 0; } else g = g * 10 + key.charCodeAt(c) - 48;
    }
    return b;
  }
  /** Pushes INSIDE tests of geometries `key` on one position (raw: their OR), behind their box. */
  function pushInside(key: string, raw: string, lat: string, lon: string): void {
    var b = boxIndex(key) * 4;
    push('(' + lat + '>=B[' + b + ']&&' + lat + '<=B[' + (b + 1) + ']&&' + lon + '>=B[' + (b + 2) + ']&&' + lon + '<=B[' + (b + 3) + ']&&' + raw + ')', true, false);
    sg[sp - 1] = key; sr[sp - 1] = raw; sy[sp - 1] = lat; sx[sp - 1] = lon;
  }
  /** OR of two INSIDE groups on the same position: one group behind one box (not when probing: it probes each). */
  function orInsides(): boolean {
    if (probes || sp < 2 || !sg[sp - 1] || !sg[sp - 2] || sy[sp - 1] !== sy[sp - 2] || sx[sp - 1] !== sx[sp - 2]) return false;
    sp -= 2;
    pushInside(sg[sp] + ',' + sg[sp + 1], '(' + sr[sp] + '||' + sr[sp + 1] + ')', sy[sp], sx[sp]);
    return true;
  }
  /** A pure op: pops its operands (last first) as its USES column says, pushes its text (PURE_JS) with them in place. */
  function pure(row: number): void {
    var uses = OPTAB[row + Col.USES];
    // Operands that are all literals would let the engine fold the op when it compiles, with its own NaN bits
    // (V8: 0/0 is 0x7ff8…, computed it is 0xfff8…): they are read from K[] instead, so the op runs as the compiler folds.
    var literal = true;
    for (var i = 1; i <= OPTAB[row + Col.POPS]; i++) if (sk[sp - i] < 0) literal = false;
    if (literal) for (i = 1; i <= OPTAB[row + Col.POPS]; i++) se[sp - i] = 'K[' + sk[sp - i] + ']';
    for (i = OPTAB[row + Col.POPS] - 1; i >= 0; i--) {
      var use = (uses >> (2 * i)) & 3;
      operands[i] = use === Use.TEMP ? popSimple() : use === Use.BOOL ? popBool() : use === Use.NUM ? popNum() : popRaw();
    }
    var text = '';
    for (var c = OPTAB[row + Col.PURE] - 1; PURE_JS.charAt(c) !== ';'; c++) {
      if (PURE_JS.charAt(c) === '$') {
        c++;
        text += operands[PURE_JS.charCodeAt(c) - 48];
      } else {
        text += PURE_JS.charAt(c);
      }
    }
    push(text, (OPTAB[row + Col.FLAGS] & Flag.BOOL) !== 0, false);
  }

  var cmpAt = 0;  // comparedWithConstant(): where the comparison is, and the constant
  var cmpK = 0;
  var cmp = -1;
  var look = newInstruction();
  /**
   * Whether the instructions at pc are CONST k then LT, LE, GT or GE (inside the unit being translated): the
   * comparison's code for F.near (0 <, 1 ≤, 2 >, 3 ≥), else −1. A jump cannot land between them (the stack is
   * not empty there).
   */
  function comparedWithConstant(at: number): number {
    if (at >= end) return -1;
    decodeInstruction(p.bytes, p.codeOff + at, p.codeOff + end, look);
    if (look.op !== Op.CONST || at + look.size >= end) return -1;
    cmpK = look.a;
    decodeInstruction(p.bytes, p.codeOff + at + look.size, p.codeOff + end, look);
    cmpAt = at + look.size;
    var c: number = look.op;
    return c === Op.LT ? 0 : c === Op.LE ? 1 : c === Op.GT ? 2 : c === Op.GE ? 3 : -1;
  }

  for (var u = 0; u < p.nUnits; u++) {
    var unitId = p.unitId[u];
    var start = p.unitStart[u];
    var end = p.unitEnd[u];
    tn = 0;
    maxTemp = 0;
    sp = 0;
    open = 0;
    // Only units with an op that wakes keep a wake-up time; the rest run on input updates alone.
    var timed = false;
    for (var scan = start; scan < end; scan += ins.size) {
      decodeInstruction(p.bytes, p.codeOff + scan, p.codeOff + end, ins);
      if ((OPTAB[ins.row + Col.FLAGS] & Flag.WAKES) !== 0) timed = true;
    }
    timedAt[u] = timed;
    // Each unit is a function of its own (stepSource() calls it): Espruino, which runs source text, then reads
    // only the units that run. It starts by clearing its dirty bit.
    var head = out.length;
    out.push(''); // the function's head, once its temps are known
    out.push((watched ? 'F.run(' + u + ');' : '') + 'q' + (u >> 5) + '&=' + ~(1 << (u & 31)) + ';' + (timed ? 'd=Infinity;' : ''));
    var pc = start;
    while (pc < end) {
      while (open > 0 && targets[open - 1] === pc) { out.push('}'); open--; }
      decodeInstruction(p.bytes, p.codeOff + pc, p.codeOff + end, ins);
      opAt = pc;
      var op = ins.op;
      var a1 = ins.a; // first operand: value, constant, geometry or output index, severity, state slot or jump target
      // Declared here, not in the branch that first uses them: Espruino hoists nothing, so a `var` in one branch
      // is not declared when another branch runs (it would write a global).
      var c: string; var x: string; var y: string; var dur: string; var r: string; var s: number; var i: number;
      if (op === Op.END) {
        // R[2] stays a lower bound of every wake-up time, so advanceTo() needs no scan while nothing is due.
        out.push(timed ? 'N[' + u + ']=d;if(d<R[2])R[2]=d;}' : '}');
        var vars = timed ? ',d' : '';
        for (var k = 0; k < maxTemp; k++) vars += ',x' + k;
        out[head] = 'function u' + u + '(t){' + (vars ? 'var ' + vars.substring(1) + ';' : '');
      } else if (op === Op.CONST) {
        push(constant(a1), false, true);
        if (se[sp - 1].charAt(0) !== 'K') sk[sp - 1] = a1;
      } else if (op === Op.LOAD) {
        push('V[' + a1 + ']', false, true);
      } else if (op === Op.KNOWN) {
        push('(V[' + a1 + ']===V[' + a1 + '])', true, false);
      } else if (op === Op.OR && orInsides()) {
        // merged into one boxed group
      } else if (OPTAB[ins.row + Col.PURE] > 0) {
        pure(ins.row);
      } else if (op === Op.HELD) {
        s = a1; dur = popSimple(); c = popBool(); r = result(true);
        out.push('if(' + c + '){if(!(' + slotRef(s, 0) + '<=t))' + slotRef(s, 0) + '=t;' + r + '=t-' + slotRef(s, 0) + '>=' + dur +
          ';if(!' + r + ')' + wake(slotRef(s, 0) + '+' + dur) + '}else{' + slotRef(s, 0) + '=NaN;' + r + '=false;}');
      } else if (op === Op.RISE || op === Op.FALL) {
        s = a1; c = popBool(); x = temp(); out.push(x + '=' + c + ';'); r = result(true);
        out.push(r + '=' + (op === Op.RISE ? x + '&&!(' : '!' + x + '&&(') + slotRef(s, 0) + '>0);' + slotRef(s, 0) + '=' + x + '?1:0;');
      } else if (op === Op.SINCE) {
        // S: Infinity while c is true, then the time it became false (NaN if never true: count from start).
        s = a1; dur = popSimple(); c = popBool(); x = temp(); r = result(true);
        out.push('if(' + c + ')' + slotRef(s, 0) + '=Infinity;else if(' + slotRef(s, 0) + '===Infinity)' + slotRef(s, 0) + '=t;' +
          x + '=' + slotRef(s, 0) + '===' + slotRef(s, 0) + '?' + slotRef(s, 0) + ':R[0];' +
          r + '=t-' + x + '>=' + dur + ';if(!' + r + ')' + wake(x + '+' + dur));
      } else if (op === Op.DEBOUNCE) {
        // S: output, candidate, candidate since.
        s = a1; dur = popSimple(); c = popBool(); x = temp(); r = result(true);
        out.push(x + '=' + c + '?1:0;if(' + slotRef(s, 0) + '!==' + slotRef(s, 0) + '){' + slotRef(s, 0) + '=' + x + ';' + slotRef(s, 1) + '=' + x + ';' + slotRef(s, 2) + '=t;}' +
          'if(' + x + '!==' + slotRef(s, 1) + '){' + slotRef(s, 1) + '=' + x + ';' + slotRef(s, 2) + '=t;}' +
          'if(' + slotRef(s, 1) + '!==' + slotRef(s, 0) + '){if(t-' + slotRef(s, 2) + '>=' + dur + ')' + slotRef(s, 0) + '=' + slotRef(s, 1) + ';else ' + wake(slotRef(s, 2) + '+' + dur) + '}' +
          r + '=' + slotRef(s, 0) + '>0;');
      } else if (op === Op.HYST) {
        s = a1; var hi = popSimple(); var lo = popSimple(); x = popSimple(); r = result(true);
        out.push('if(' + x + '>' + hi + ')' + slotRef(s, 0) + '=1;else if(' + x + '<' + lo + ')' + slotRef(s, 0) + '=0;' + r + '=' + slotRef(s, 0) + '>0;');
      } else if (op === Op.LATCH) {
        s = a1; var reset = popBool(); var set = popBool(); x = temp(); out.push(x + '=' + reset + ';'); y = temp(); out.push(y + '=' + set + ';'); r = result(true);
        out.push('if(' + x + ')' + slotRef(s, 0) + '=0;else if(' + y + ')' + slotRef(s, 0) + '=1;' + r + '=' + slotRef(s, 0) + '>0;');
      } else if (op === Op.SEQ) {
        // S: steps done (0…n−1), time of step 1. One step advances per evaluation, in order.
        s = a1; var n = ins.b; dur = popSimple();
        var steps: string[] = [];
        for (i = n - 1; i >= 0; i--) { steps[i] = temp(); }
        for (i = n - 1; i >= 0; i--) out.push(steps[i] + '=' + popBool() + ';');
        x = temp(); r = result(true);
        var seq = x + '=' + slotRef(s, 0) + '>0?' + slotRef(s, 0) + ':0;if(' + x + '>0&&t-' + slotRef(s, 1) + '>' + dur + ')' + x + '=0;';
        for (i = 0; i < n; i++) {
          seq += (i > 0 ? 'else ' : '') + 'if(' + x + '===' + i + '&&' + steps[i] + '){' + (i === 0 ? slotRef(s, 1) + '=t;' : '') + x + '=' + (i + 1) + ';}';
        }
        out.push(seq + r + '=' + x + '===' + n + ';if(' + r + ')' + x + '=0;' + slotRef(s, 0) + '=' + x + ';');
      } else if (op === Op.COUNT) {
        s = a1; dur = popSimple(); c = popBool(); r = result(false);
        out.push(r + '=F.count(' + s + ',' + ins.b + ',' + c + ',' + dur + ',t);' + wake('R[1]'));
      } else if (op === Op.ABSENT) {
        // S: previous y, time y rose while still waiting for x (NaN when not waiting).
        s = a1; dur = popSimple(); x = popBool(); y = popBool(); c = temp(); var xv = temp(); r = result(true);
        out.push(c + '=' + y + ';' + xv + '=' + x + ';if(' + c + '&&!(' + slotRef(s, 0) + '>0))' + slotRef(s, 1) + '=t;' + slotRef(s, 0) + '=' + c + '?1:0;' +
          r + '=false;if(' + slotRef(s, 1) + '===' + slotRef(s, 1) + '){if(' + xv + ')' + slotRef(s, 1) + '=NaN;else if(t-' + slotRef(s, 1) + '>=' + dur + '){' + r + '=true;' + slotRef(s, 1) + '=NaN;}else ' + wake(slotRef(s, 1) + '+' + dur) + '}');
      } else if (op === Op.STALE) {
        dur = popSimple(); x = temp(); r = result(true);
        out.push(x + '=U[' + a1 + ']===U[' + a1 + ']?U[' + a1 + ']:R[0];' + r + '=t-' + x + '>=' + dur + ';if(!' + r + ')' + wake(x + '+' + dur));
      } else if (op === Op.DIST2 && (cmp = comparedWithConstant(pc + ins.size)) >= 0) {
        // dist2 > K (the usual "further than …" test): one early-exit call instead of the whole distance.
        y = popRaw(); x = popRaw();
        pc = cmpAt; opAt = pc;
        decodeInstruction(p.bytes, p.codeOff + pc, p.codeOff + end, ins);
        push('F.near(' + a1 + ',' + x + ',' + y + ',K[' + cmpK + '],' + cmp + ')', true, false);
      } else if (op === Op.INSIDE && ss[sp - 1] && ss[sp - 2]) {
        y = popRaw(); x = popRaw();
        pushInside('' + a1, 'F.inside(' + a1 + ',' + x + ',' + y + ')', x, y);
      } else if (op === Op.INSIDE || op === Op.DIST2) {
        y = popRaw(); x = popRaw();
        push('F.' + (op === Op.INSIDE ? 'inside(' : 'dist2(') + a1 + ',' + x + ',' + y + ')', op === Op.INSIDE, false);
      } else if (op === Op.IMPLIED_SPEED2) {
        // F.jump2 is the implied-speed op's key in F (out-of-line-ops.ts): the translated text is pinned byte for byte.
        r = result(false);
        out.push(r + '=F.jump2(' + a1 + ',t);');
      } else if (op === Op.HOLD) {
        s = a1; c = popBool(); x = popNum();
        out.push('if(' + c + ')' + slotRef(s, 0) + '=' + x + ';');
        push(slotRef(s, 0), false, true);
      } else if (op === Op.STORE) {
        // A boolean result is 0 or 1, never NaN, so it needs no NaN-aware comparison.
        x = temp(); out.push(x + '=' + popNum() + ';');
        out.push('if(' + x + '!==V[' + a1 + ']' + (wasBool ? '' : '&&(' + x + '===' + x + '||V[' + a1 + ']===V[' + a1 + '])') + '){V[' + a1 + ']=' + x + ';' + markReaders(a1) + '}');
      } else if (op === Op.FIRE) {
        // S: condition at the last evaluation, time of the last firing.
        s = a1; dur = popSimple(); c = popBool(); r = result(true);
        if (spans) {
          out.push(r + '=false;if(' + c + '){if(!(' + slotRef(s, 0) + '>0)){H.state(' + unitId + ',1,t);if(!(t-' + slotRef(s, 1) + '<' + dur + ')){' + r + '=true;' + slotRef(s, 1) + '=t;}}' + slotRef(s, 0) + '=1;}' +
            'else{if(' + slotRef(s, 0) + '>0)H.state(' + unitId + ',0,t);' + slotRef(s, 0) + '=0;}');
        } else {
          out.push(r + '=false;if(' + c + '){if(!(' + slotRef(s, 0) + '>0)&&!(t-' + slotRef(s, 1) + '<' + dur + ')){' + r + '=true;' + slotRef(s, 1) + '=t;}' + slotRef(s, 0) + '=1;}else ' + slotRef(s, 0) + '=0;');
        }
      } else if (op === Op.JZ) {
        // The FIRE result: whether the rule fired is known from its events, so it is not probed.
        out.push('if(' + (probes ? popRaw() : popBool()) + '){');
        targets[open++] = a1;
      } else if (op === Op.EMIT) {
        var count = ins.b;
        var emit = '';
        for (i = count - 1; i >= 0; i--) emit = 'E[' + i + ']=' + popNum() + ';' + emit;
        out.push(emit + 'H.emit(' + unitId + ',' + a1 + ',t,E,' + count + ');');
      } else if (op === Op.OUT) {
        out.push('H.output(' + a1 + ',' + popNum() + ');');
      } else if (op === Op.RATE) {
        out.push('H.interval(' + popNum() + ');');
      }
      pc += ins.size;
    }
  }
  return dirtyWordsSource(p.nUnits) + out.join('') + 'return{step:' + stepSource(p.nUnits, timedAt) + ',set:' + setSource(p.nSignals, dirtyWords(p.nUnits)) + '};';
}
