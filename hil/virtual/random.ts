/**
 * The virtual device's hardware random source (LinkIo.random): Node's CSPRNG, as a real board reads its TRNG
 * (Espruino: E.hwRand). Under the test flag EDGERULE_TEST_RANDOM=<64 hex digits> it is instead a fixed stream
 * derived from that seed, so a test can make the same device key twice; nothing else ever sets it, and the seed
 * stays in the virtual device's process: it never crosses the link.
 */
import { createHash, randomFillSync } from 'node:crypto';

export function boardRandom(seedHex = process.env.EDGERULE_TEST_RANDOM): (buf: Uint8Array) => boolean {
  if (!seedHex) return (buf) => (randomFillSync(buf), true);
  if (!/^[0-9a-f]{64}$/.test(seedHex)) throw new Error('EDGERULE_TEST_RANDOM must be 64 lower-case hex digits');
  let counter = 0;
  return (buf) => {
    for (let at = 0; at < buf.length; at += 32) {
      const block = createHash('sha256').update(seedHex).update(String(counter++)).digest();
      buf.set(block.subarray(0, Math.min(32, buf.length - at)), at);
    }
    return true;
  };
}
