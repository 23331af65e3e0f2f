// Child process that runs one script file on Node for harness/engines/engines.ts.
// Usage: node node-child.mjs <script.js>. Defines a global print() (arguments joined by spaces, one line, like
// XS and Duktape), then runs the file as a classic script in the global scope (top-level `var`s become globals,
// line numbers are the file's own). An uncaught error exits non-zero with its stack on stderr.
import fs from 'node:fs';
import vm from 'node:vm';

const file = process.argv[2];
globalThis.print = function print(...args) {
  process.stdout.write(args.join(' ') + '\n');
};
vm.runInThisContext(fs.readFileSync(file, 'utf8'), { filename: file });
