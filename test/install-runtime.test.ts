// edgerule install-runtime against the Linux build of Espruino (env ESPRUINO) with its console on a real pty:
// the files go into Storage, each chunk and file checked by E.CRC32, the boot code restarts into the host and the
// device agent answers HELLO (on Serial1, another pty: the Linux build's console is no binary-clean line). A second
// install writes only what differs on the board.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { espruinoBinary } from '../hil/espruino/device.ts';
import { espruinoRepl, type EspruinoRepl } from '../hil/espruino/repl-pty.ts';
import { ptyPair, type PtyPair } from '../hil/virtual/pty.ts';
import { bufferIo } from '../cli/command.ts';
import { main } from '../cli/main.ts';
import { BUILD_KEY, DEVICE_KEY } from '../harness/link.ts';
import { writePublicKey, writeSecretKey } from '../signing/keys.ts';
import { openSerial } from '../hil/link/transport.ts';
import { Repl } from '../firmware/espruino-repl.ts';

const esp = espruinoBinary();
const MINUTES = 60_000;
const open: Array<EspruinoRepl | PtyPair> = [];
afterAll(() => { for (const o of open) o.close(); });

describe.skipIf(!esp.bin)(`install-runtime over Espruino's REPL${esp.bin ? '' : ` — SKIPPED, not passed: ${esp.why}`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-install-'));
  const args = (repl: string) => ['install-runtime', '--port', repl, '--target', 'espruino', '--board', join(dir, 'board.json'),
    '--trust', join(dir, 'build.pub'), '--device-key', join(dir, 'device.key'), '--link-port', join(dir, 'link'), '--timeout', '60000', '--json'];

  test('a fresh board: every file written and checked, the host starts, HELLO answers', async () => {
    const link = await ptyPair(join(dir, 'link'), join(dir, 'link-board'));
    open.push(link);
    writeFileSync(join(dir, 'board.json'), JSON.stringify({ target: 'espruino', link: { uart: 'Serial1', baud: 115200, path: join(dir, 'link-board') } }));
    writePublicKey(join(dir, 'build.pub'), BUILD_KEY, true);
    writeSecretKey(join(dir, 'device.key'), DEVICE_KEY, true);
    const repl = await espruinoRepl(esp.bin!, dir);
    open.push(repl);
    const io = bufferIo();
    const code = await main(args(repl.port), io);
    const r = JSON.parse(io.stdout);
    expect(r.verdict).toMatch(/^OK: 9 file\(s\) written/);
    expect(code).toBe(0);
    expect(r.hello).toEqual({ device: 7, engine: expect.stringMatching(/^espruino 2v/), profile: 'full' });
    expect(r.written.map((f: { name: string }) => f.name)).toEqual(['er.rt.js', 'er.sig.js', 'er.tab', 'er.link.js', 'er.host.js', 'er.board.js', 'er.cfg', 'er.id', '.boot0']);
  }, 30 * MINUTES);

  test('again after a file changed on the board: only that file (and the boot file) is written', async () => {
    const repl = open.find((o): o is EspruinoRepl => 'port' in o)!;
    const t = await openSerial(repl.port, 9600, 10000);
    try {
      const r = new Repl(t, { timeoutMs: 60000 });
      await r.prompt();
      expect(await r.eval('require("Storage").write("er.board.js","// not the board adapter"),"ok"')).toBe('ok');
      r.echoOn();
    } finally {
      await t.close();
    }
    const io = bufferIo();
    expect(await main(args(repl.port), io)).toBe(0);
    const r = JSON.parse(io.stdout);
    expect(r.written.map((f: { name: string }) => f.name)).toEqual(['er.board.js', '.boot0']);
    expect(r.unchanged).toHaveLength(7);
  }, 30 * MINUTES);
});
