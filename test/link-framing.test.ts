// The device link's framing (runtime/link/): COBS, CRC-32, frames and bodies, shared by device and host; the
// link artifact's build checks. Pure functions, so checked directly; the agent itself runs from the artifact in
// test/link-agent.test.ts and over real ptys in the other link tests.
import { readFileSync } from 'node:fs';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { cobsEncode, cobsMax, newCobs, cobsByte, cobsReset, COBS_FRAME, COBS_BAD, COBS_MORE, COBS_EMPTY } from '../runtime/link/cobs.ts';
import { crc32 } from '../runtime/link/crc32.ts';
import { newBody, readBody, V_UINT, V_BYTES, V_NEG, V_TEXT, V_ARRAY, V_F64 } from '../runtime/link/body.ts';
import { cborIn } from '../runtime/signing/cbor.ts';
import { encodeFrame, rawFrame, FrameReader, type Frame } from '../hil/link/codec.ts';
import { MSG_CHUNK, MSG_HELLO } from '../runtime/link/constants.ts';
import { lintEngineSubset } from '../harness/engine-subset.ts';
import { LINK_ARTIFACT_PATH } from '../hil/virtual/artifact.ts';
import { rng } from '../hil/relay/mangle.ts';

function decodeAll(wire: Uint8Array, size = 4096): { frames: Uint8Array[]; bad: number } {
  const d = newCobs(size);
  const frames: Uint8Array[] = [];
  let bad = 0;
  for (const b of wire) {
    const r = cobsByte(d, b);
    if (r === COBS_FRAME) frames.push(d.buf.slice(0, d.len));
    if (r === COBS_BAD) bad++;
    if (r !== COBS_MORE) cobsReset(d);
  }
  return { frames, bad };
}

describe('COBS', () => {
  test('round-trips frames of every length up to 600 with zeros, 0xFF and 254-byte runs, and never emits 0x00 inside', () => {
    const random = rng(7);
    for (let n = 0; n <= 600; n++) {
      const raw = Uint8Array.from({ length: n }, (_, i) => (n % 3 === 0 ? (i % 300 === 0 ? 0 : 1 + (i % 255)) : Math.floor(random() * 256) & (n % 5 ? 255 : 1)));
      const out = new Uint8Array(cobsMax(n));
      const end = cobsEncode(raw, n, out, 0);
      expect(end).toBeLessThanOrEqual(cobsMax(n));
      expect(out.subarray(1, end - 1).includes(0)).toBe(false);
      const { frames } = decodeAll(out.subarray(0, end));
      if (n === 0) expect(frames).toEqual([new Uint8Array(0)]);
      else expect(frames).toEqual([raw]);
    }
  });

  test('resynchronises after garbage: bytes before the first 0x00 and a damaged frame do not swallow the next frame', () => {
    const a = encodeFrame(MSG_HELLO, 1, new Map([[1, 5]]));
    const b = encodeFrame(MSG_HELLO, 2, new Map([[1, 6]]));
    const cut = a.subarray(0, a.length - 4); // a frame whose end was lost
    const wire = Buffer.concat([Buffer.from('boot noise\r\n>'), cut, b]);
    const frames: Frame[] = [];
    const reader = new FrameReader((f) => frames.push(f));
    reader.push(new Uint8Array(wire));
    expect(frames.map((f) => f.seq)).toEqual([2]);
    expect(reader.errors.crc + reader.errors.framing).toBeGreaterThanOrEqual(1);
  });

  test('a frame longer than the receive buffer is dropped at its delimiter, and the next one is read', () => {
    const long = encodeFrame(MSG_CHUNK, 1, new Map<number, number | Uint8Array>([[1, 0], [2, new Uint8Array(300)]]));
    const short = encodeFrame(MSG_HELLO, 2, new Map());
    const { frames, bad } = decodeAll(Buffer.concat([long, short]), 64);
    expect(bad).toBe(1);
    expect(frames.length).toBe(1);
    expect(frames[0][1]).toBe(2);
    expect(cobsByte(newCobs(4), 0)).toBe(COBS_EMPTY);
  });
});

describe('CRC-32', () => {
  test('is zlib\'s (check value of "123456789" is 0xCBF43926, E.CRC32("abc") is 891568578) and continues across calls', () => {
    const digits = new TextEncoder().encode('123456789');
    expect(crc32(0, digits, 0, 9)).toBe(0xcbf43926);
    expect(crc32(0, new TextEncoder().encode('abc'), 0, 3)).toBe(891568578);
    const random = rng(3);
    const data = Uint8Array.from({ length: 5000 }, () => Math.floor(random() * 256));
    expect(crc32(crc32(0, data, 0, 1234), data, 1234, 5000)).toBe(zlibCrc32(data));
  });

  test('every single-bit flip of a 1 KB frame is caught', () => {
    const raw = rawFrame(MSG_CHUNK, 9, new Map<number, number | Uint8Array>([[1, 4096], [2, new Uint8Array(1024).map((_, i) => i * 7)]]));
    let missed = 0;
    for (let bit = 0; bit < raw.length * 8; bit++) {
      const f = raw.slice();
      f[bit >> 3] ^= 1 << (bit & 7);
      const frames: Frame[] = [];
      const out = new Uint8Array(cobsMax(f.length));
      new FrameReader((x) => frames.push(x)).push(out.subarray(0, cobsEncode(f, f.length, out, 0)));
      if (frames.length) missed++;
    }
    expect(missed).toBe(0);
  });
});

describe('message bodies', () => {
  const read = (bytes: Uint8Array) => {
    const body = newBody();
    const r = cborIn(bytes, 0, bytes.length);
    return { ok: readBody(r, body), body, r };
  };
  const bodyOf = (m: Map<number, unknown>) => rawFrame(0, 0, m as never).subarray(3, -4);

  test('the host\'s encoding is what the device reads, key by key (integers ≥ 2^32 stay integers)', () => {
    const { ok, body } = read(bodyOf(new Map<number, unknown>([[1, 1_700_000_000_123], [2, new Uint8Array([1, 2, 3])], [3, -5], [4, 'hi'], [5, [1, 2, 3]], [6, 0.5], [40, 9]])));
    expect(ok).toBe(true);
    expect([body.kind[1], body.num[1]]).toEqual([V_UINT, 1_700_000_000_123]);
    expect([body.kind[2], body.num[2]]).toEqual([V_BYTES, 3]);
    expect([body.kind[3], body.num[3]]).toEqual([V_NEG, -5]);
    expect([body.kind[4], body.num[4]]).toEqual([V_TEXT, 2]);
    expect([body.kind[5], body.num[5]]).toEqual([V_ARRAY, 3]);
    expect([body.kind[6], body.num[6]]).toEqual([V_F64, 0.5]);
  });

  test.each([
    ['not a map', [0x81, 0x01]],
    ['keys out of order', [0xa2, 0x02, 0x01, 0x01, 0x01]],
    ['a key twice', [0xa2, 0x01, 0x01, 0x01, 0x01]],
    ['a non-shortest integer', [0xa1, 0x01, 0x18, 0x05]],
    ['a string running past the end', [0xa1, 0x01, 0x45, 0x01]],
    ['bytes after the map', [0xa0, 0x00]],
    ['a nested map', [0xa1, 0x01, 0xa0]],
    ['an indefinite length', [0xa1, 0x01, 0x5f]],
  ])('refuses %s', (_, bytes) => {
    expect(read(new Uint8Array(bytes)).ok).toBe(false);
  });
});

test('dist/edgerule-link.js passes the subset lint and carries no copy of the engine or the signing add-on', () => {
  const link = readFileSync(LINK_ARTIFACT_PATH, 'utf8');
  expect(lintEngineSubset(link)).toEqual([]);
  expect(link).not.toMatch(/function (translate|verifyStep|sha512Rounds|eventWriter)\(/);
  expect(link).toContain('EdgeRule.checkBegin');
});
