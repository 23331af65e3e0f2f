/**
 * The device host's entry point: dist/edgerule-host.js, the fourth artifact, loaded after the runtime, the
 * signing add-on and the link (it starts the link agent through the `EdgeRule` global). It adds what a board
 * adapter needs: startHost (host.ts), the reference accelerometer driver, the storage pieces, the derived values.
 * A board adapter (firmware/: Espruino, Moddable, Node) is small and platform-specific; everything here is shared.
 */
import { startHost } from './host.ts';
import { lis3dh } from './lis3dh.ts';
import { hostStore } from './store.ts';
import { openLog, logGet, logPut } from './record-log.ts';
import { accelMag, tiltDeg, sqrtRn } from './derive.ts';
import { hexKey } from './config.ts';

declare var EdgeRule: { [k: string]: unknown } | undefined;

if (typeof EdgeRule === 'undefined' || !EdgeRule || !EdgeRule.linkAgent) throw new Error('edgerule-host.js needs edgerule-runtime.js, edgerule-signing.js and edgerule-link.js loaded first');
EdgeRule.startHost = startHost;
EdgeRule.lis3dh = lis3dh;
EdgeRule.hostStore = hostStore;
EdgeRule.openLog = openLog;
EdgeRule.logGet = logGet;
EdgeRule.logPut = logPut;
EdgeRule.accelMag = accelMag;
EdgeRule.tiltDeg = tiltDeg;
EdgeRule.sqrtRn = sqrtRn;
EdgeRule.hexKey = hexKey;
