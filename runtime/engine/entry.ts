/**
 * The runtime artifact's entry point. tools/build-runtime.ts bundles this into dist/edgerule-runtime.js,
 * a plain ES5 script that defines one global, `EdgeRule` (and, under Espruino's module loader, `exports`).
 * The simulator, the tests and the devices all run that same file.
 */
import { load, translated } from './runtime.ts';
import { verify } from './verify.ts';
import { FORMAT_VERSION } from './format.ts';
import { CATALOGUE_HASH } from './catalogue.generated.ts';

declare var EdgeRule: { [k: string]: unknown };
declare var exports: { [k: string]: unknown } | undefined;

// Signing (signed bundles, signed events, ed25519) is the add-on dist/edgerule-signing.js (runtime/signing/entry.ts).
var api = { load: load, verify: verify, translated: translated, formatVersion: FORMAT_VERSION, catalogueHash: CATALOGUE_HASH };
EdgeRule = api;
if (typeof exports !== 'undefined' && exports) {
  exports.load = load;
  exports.verify = verify;
}
