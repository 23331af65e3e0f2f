/**
 * The runtime artifact's entry point. tools/build-runtime.ts bundles this into dist/edgerule-runtime.js,
 * a plain ES5 script that defines one global, `EdgeRule` (and, under Espruino's module loader, `exports`).
 * The simulator, the tests and the devices all run that same file.
 */
import { load, translated } from './runtime.ts';
import { verify } from './verify.ts';
import { FORMAT_VERSION } from './format.ts';
import { CATALOGUE_HASH } from './catalogue.generated.ts';
import { loadSigned, checkBegin, checkStep, loadChecked } from './signed-bundle.ts';
import { eventWriter, wrapHost, setHash } from './events.ts';
import { setBaseTable } from './crypto/ed25519.ts';
import { loadBaseTable } from './crypto/edtable.ts';
import { nativeSha512 } from './crypto/espruino-sha512.ts';

declare var EdgeRule: unknown;
declare var exports: { [k: string]: unknown } | undefined;

var api = {
  load: load, verify: verify, translated: translated, formatVersion: FORMAT_VERSION, catalogueHash: CATALOGUE_HASH,
  // signed bundles and signed events (docs/EVENTS.md); crypto plug-ins: setSha512(nativeSha512(require("crypto"))), setBaseTable(loadBaseTable(b64))
  loadSigned: loadSigned, checkBegin: checkBegin, checkStep: checkStep, loadChecked: loadChecked,
  eventWriter: eventWriter, wrapHost: wrapHost, setSha512: setHash, nativeSha512: nativeSha512, setBaseTable: setBaseTable, loadBaseTable: loadBaseTable,
};
EdgeRule = api;
if (typeof exports !== 'undefined' && exports) {
  exports.load = load;
  exports.verify = verify;
}
