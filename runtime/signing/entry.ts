/**
 * The signing add-on's entry point: dist/edgerule-signing.js, loaded after dist/edgerule-runtime.js by devices
 * that sign (and by the simulator, so it runs what they run). It adds signed-bundle loading, the signed event
 * writer and the ed25519 plug-ins to the `EdgeRule` global. Devices that do not sign never load it, and pay
 * nothing for it (shared/ENGINES.md: on Espruino every defined function costs variables).
 */
import { loadSigned, checkBegin, checkStep, loadChecked } from './signed-bundle.ts';
import { eventWriter, wrapHost, setHash } from './events.ts';
import { setBaseTable, isWeakPublicKey } from './crypto/ed25519.ts';
import { loadBaseTable } from './crypto/edtable.ts';
import { nativeSha512 } from './crypto/espruino-sha512.ts';
import { sha512 } from './crypto/sha512.ts';

declare var EdgeRule: { [k: string]: unknown } | undefined;

if (typeof EdgeRule === 'undefined' || !EdgeRule) throw new Error('edgerule-signing.js needs edgerule-runtime.js loaded first');
// signed bundles and signed events (docs/EVENTS.md); crypto plug-ins: setSha512(nativeSha512(require("crypto"))), setBaseTable(loadBaseTable(b64))
EdgeRule.loadSigned = loadSigned;
EdgeRule.checkBegin = checkBegin;
EdgeRule.checkStep = checkStep;
EdgeRule.loadChecked = loadChecked;
EdgeRule.eventWriter = eventWriter;
EdgeRule.wrapHost = wrapHost;
EdgeRule.setSha512 = setHash;
EdgeRule.nativeSha512 = nativeSha512;
EdgeRule.setBaseTable = setBaseTable;
EdgeRule.loadBaseTable = loadBaseTable;
// provisioning: refuse a key to trust that proves nothing (small order, or not a point)
EdgeRule.isWeakPublicKey = isWeakPublicKey;
// the runtime's own SHA-512 (the device link hashes slots with it, or with a native one the board passes)
EdgeRule.sha512 = sha512;
