/**
 * Where in a rule file a DSL call was made. Rule modules are loaded with inline source maps and Node's
 * source-map support on, so stack frames name the original TypeScript file:line:col; this returns the first
 * frame outside the DSL itself. Diagnostics and the bytecode source map use it.
 */
import { fileURLToPath } from 'node:url';
import type { SourceLoc } from '../ir.ts';

const DSL_DIR = fileURLToPath(new URL('.', import.meta.url));
const FRAME = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/;

export function callerLoc(): SourceLoc | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line.trim());
    if (!m) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    if (file.startsWith(DSL_DIR) || file.includes('/node_modules/') || file.startsWith('node:')) continue;
    return { file, line: Number(m[2]), col: Number(m[3]) };
  }
  return undefined;
}
