/**
 * The device link's entry point: dist/edgerule-link.js, the third artifact, loaded after
 * dist/edgerule-runtime.js and dist/edgerule-signing.js on a device that talks to a host over a serial line
 * (and by the virtual device, which runs these same three files). It adds EdgeRule.linkAgent and the protocol
 * constants a board needs.
 */
import { linkAgent } from './agent.ts';
import { LINK_VERSION } from './constants.ts';
import { crc32 } from './crc32.ts';

declare var EdgeRule: { [k: string]: unknown } | undefined;

if (typeof EdgeRule === 'undefined' || !EdgeRule || !EdgeRule.checkBegin) throw new Error('edgerule-link.js needs edgerule-runtime.js and edgerule-signing.js loaded first');
EdgeRule.linkAgent = linkAgent;
EdgeRule.linkVersion = LINK_VERSION;
EdgeRule.crc32 = crc32;
