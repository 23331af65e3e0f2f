// Child process that runs one script file on Moddable XS (via @agoric/xsnap) for harness/engines/engines.ts.
// Usage: node xs-child.mjs <script.js>. It imports @endo/init (which locks down this whole Node process —
// the reason it is a child of its own), starts an xsnap worker with metering off whose stdout/stderr are this
// process's, evaluates the script (XS's own `print` writes one line to stdout), and exits 0, or 1 with the
// XS error text on stderr.
import '@endo/init';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { xsnap } from '@agoric/xsnap';

const file = process.argv[2];
const source = fs.readFileSync(file, 'utf8');

let worker;
let code = 0;
try {
  worker = await xsnap({
    name: 'edgerule-xs',
    os: os.type(),
    spawn,
    fs: { ...fs, ...fs.promises },
    stdout: 'inherit',
    stderr: 'inherit',
    meteringLimit: 0, // no crank limit: long-running benchmarks must not be killed by the meter
  });
  await worker.evaluate(source);
} catch (e) {
  process.stderr.write(`XS error: ${e && e.message ? e.message : String(e)}\n`);
  code = 1;
}
try {
  if (worker) await (code ? worker.terminate() : worker.close());
} catch {
  // the worker may already be gone after a fatal error
}
process.exit(code);
