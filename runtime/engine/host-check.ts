/**
 * Which host callbacks a verified bundle will call: EMIT calls host.emit, OUT host.output, RATE host.interval (the
 * calls translate.ts writes). load() refuses a host that lacks one of them with F_HOST at the first instruction that
 * would call it, instead of loading and then throwing "H.output is not a function" out of step().
 *
 * Runtime subset: ES5 + typed arrays, no recursion, functions defined before use; allocates one instruction record.
 */
import { Op } from './isa.generated.ts';
import { decodeInstruction, newInstruction } from './instruction.ts';
import type { Program } from './verify.ts';

/**
 * Whether the host itself supplies callback `name`. Espruino gives every object an `emit` (Object.prototype.emit, its
 * event API), so a host without emit() would pass a plain typeof check there and fail on the first alert.
 */
function hostHas(host: object, name: string): boolean {
  var f = (host as { [name: string]: unknown })[name];
  return typeof f === 'function' && f !== (Object.prototype as { [name: string]: unknown })[name];
}

/** Byte offset of the first instruction whose host callback `host` lacks, or −1 when it has all it needs. */
export function missingCallback(p: Program, host: object): number {
  var ins = newInstruction();
  for (var u = 0; u < p.nUnits; u++) {
    var end = p.codeOff + p.unitEnd[u];
    for (var at = p.codeOff + p.unitStart[u]; at < end; at += ins.size) {
      decodeInstruction(p.bytes, at, end, ins);
      var name = ins.op === Op.EMIT ? 'emit' : ins.op === Op.OUT ? 'output' : ins.op === Op.RATE ? 'interval' : '';
      if (name !== '' && !hostHas(host, name)) return at;
    }
  }
  return -1;
}
