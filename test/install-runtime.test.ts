// edgerule install-runtime against the Linux build of Espruino (env ESPRUINO) with its console on a real pty:
// the files go into Storage, each chunk and file checked by E.CRC32, the boot code restarts into the host and the
// device agent answers HELLO (on Serial1, another pty: the Linux build's console is no binary-clean line). A second
// install writes only what differs on the board. Then, as the issue asks of a board installed this way: with
// injection turned on in its board file, `edgerule hil` flashes the library and drives it with a real recording and a
// scenario, and its signed records are the simulator's byte for byte.
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
import { sharedData } from '../harness/shared-data.ts';
import { hilFiles, hilCases, hilCli, identicalRunProblems } from '../harness/hil.ts';
import { TEST_INJECT_BUFFER } from '../runtime/link/constants.ts';

const esp = espruinoBinary();
const shared = sharedData('traces', 'the hil run on the installed board replays a real recording');
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

  test.skipIf(!shared.present)(`hil on the installed board: the library flashed, a real recording with a scenario, records identical to the simulator's${shared.skipped}`, async () => {
    const repl = open.find((o): o is EspruinoRepl => 'port' in o)!;
    const board = { target: 'espruino', link: { uart: 'Serial1', baud: 115200, path: join(dir, 'link-board'), injectBuffer: TEST_INJECT_BUFFER } };
    writeFileSync(join(dir, 'board.json'), JSON.stringify(board));
    const io = bufferIo();
    expect(await main(args(repl.port), io)).toBe(0);
    expect(JSON.parse(io.stdout).written.map((f: { name: string }) => f.name)).toEqual(['er.cfg', '.boot0']);
    const files = await hilFiles(); // signs with the build key installed above; the device key is the one in er.id
    const c = hilCases(shared).find((x) => x.name.startsWith('sbn.gpx'))!;
    const slow = ['--timeout-connect', '120', '--timeout-flash', '900', '--timeout-inject', '120', '--timeout-drain', '300'];
    // the board's console is read meanwhile, as a terminal on a board's USB would be: an unread pty blocks its writer
    const con = await openSerial(repl.port, 9600, 10000);
    let said = '';
    con.onData((b) => { said = (said + Buffer.from(b).toString('latin1')).slice(-3000); });
    const r = await hilCli(files, join(dir, 'link'), c, slow).finally(() => con.close());
    if (r.code !== 0) console.log(`hil on the installed board: exit ${r.code}; flash ${JSON.stringify(r.json?.flash)}; the console said: ${said}`);
    expect(identicalRunProblems(r, c)).toEqual([]);
    expect(r.json.verdict).toMatch(/^PASS: device 7 \(espruino 2v/);
    expect(r.json.flash?.verdict).toMatch(/^OK: device 7 runs /);
  }, 60 * MINUTES);
});
