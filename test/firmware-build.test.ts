// `edgerule build-runtime`: each target's files, the Espruino manifest (sizes and CRC-32s of what goes into
// Storage), board files refused with the JSON path of the problem, and — with ESPRUINO set — the boot file in the
// Linux build of Espruino: it starts the host when every file checks out, and leaves only the REPL when a file
// is damaged, saying which.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { buildTarget } from '../firmware/build.ts';
import { deviceConfig } from '../firmware/board-config.ts';
import { espruinoFiles } from '../firmware/espruino.ts';
import { renameIdentifier } from '../firmware/artifacts.ts';
import { findProfile } from '../firmware/build.ts';
import { crc32 } from '../runtime/link/crc32.ts';
import { espruinoBinary, installStorage } from '../hil/espruino/device.ts';
import { bufferIo } from '../cli/command.ts';
import { main } from '../cli/main.ts';

const out = () => mkdtempSync(join(tmpdir(), 'edgerule-fw-'));

test('a mangled name Espruino reserves (of) is renamed in code, not in strings or property names', () => {
  const code = `function of(e){return"end of it"+e.of}var x=of(1),y='of',of$=2;of(of$)`;
  expect(renameIdentifier(code, 'of')).toBe(`function of$$(e){return"end of it"+e.of}var x=of$$(1),y='of',of$=2;of$$(of$)`);
});

test('no Storage file names a function or variable Espruino reserves', async () => {
  const dir = out();
  const r = await buildTarget({ target: 'espruino', out: dir });
  for (const f of r.files.filter((x) => x.name.endsWith('.js'))) {
    const code = readFileSync(join(dir, f.name), 'latin1').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
    expect(code, f.name).not.toMatch(/(?<![\w$.])of(?![\w$])/);
  }
});

test('espruino: Storage files, a boot file that knows each one, install.json with sizes and CRC-32s', async () => {
  const dir = out();
  const r = await buildTarget({ target: 'espruino', out: dir });
  const names = r.files.map((f) => f.name);
  expect(names).toEqual(['er.rt.js', 'er.sig.js', 'er.tab', 'er.link.js', 'er.host.js', 'er.board.js', 'er.cfg', '.boot0'].map((n) => `storage/${n}`));
  const manifest = JSON.parse(readFileSync(join(dir, 'install.json'), 'utf8'));
  expect(manifest.format).toBe('edgerule-espruino/1');
  const boot = readFileSync(join(dir, 'storage/.boot0'), 'latin1');
  for (const f of manifest.files) {
    const bytes = new Uint8Array(readFileSync(join(dir, f.path)));
    expect(bytes.length).toBe(f.bytes);
    expect(crc32(0, bytes, 0, bytes.length)).toBe(f.crc32);
    expect(f.name.length).toBeLessThanOrEqual(28); // Storage's name limit
    if (f.name !== '.boot0') expect(boot).toContain(`["${f.name}",${f.bytes},${f.crc32},`);
  }
  expect(manifest.files.at(-1).name).toBe('.boot0'); // written last: a board never boots into missing files
  // mangled for the device, and smaller than the desktop files
  expect(r.files.find((f) => f.name === 'storage/er.rt.js')!.bytes).toBeLessThan(readFileSync('dist/edgerule-runtime.js').length);
});

test('moddable: a module folder in Moddable\'s conventions, each module preloadable and importing the one before', async () => {
  const dir = out();
  await buildTarget({ target: 'moddable', out: dir });
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  expect(m.modules['*']).toContain('./edgerule-host');
  expect(m.preload).toEqual(['edgerule-runtime', 'edgerule-signing', 'edgerule-link', 'edgerule-host', 'edgerule-board', 'edgerule-config']);
  expect(Object.keys(m.platforms)).toContain('...');
  expect(readFileSync(join(dir, 'edgerule-host.js'), 'utf8')).toMatch(/^import EdgeRule from "edgerule-link";/);
  const board = readFileSync(join(dir, 'edgerule-board.js'), 'utf8');
  for (const io of ['embedded:io/serial', 'embedded:io/i2c', 'embedded:io/digital']) expect(board).toContain(`from "${io}"`);
  const cfg = readFileSync(join(dir, 'edgerule-config.js'), 'utf8');
  expect(cfg).toMatch(/"sig":\d+/); // signal names became catalogue ids
});

test('the command prints every file\'s size; a bad target is a usage error', async () => {
  const io = bufferIo();
  expect(await main(['build-runtime', '--target', 'node', '-o', out()], io)).toBe(0);
  expect(io.stdout).toMatch(/edgerule-host\.js\s+code\s+\d+/);
  expect(io.stdout).toMatch(/JavaScript\s+\d+/);
  const bad = bufferIo();
  expect(await main(['build-runtime', '--target', 'arduino'], bad)).toBe(2);
  expect(bad.stderr).toContain('--target must be one of espruino, moddable, node');
});

test('board files: a signal the profile lacks, a non-boolean input and an unknown driver are refused by JSON path', async () => {
  const full = await findProfile('full');
  expect(() => deviceConfig({ inputs: [{ signal: 'door', pin: 1 }, { signal: 'gnss.speed', pin: 2 }] }, full, 'b.json')).toThrow("b.json: inputs[1].signal: 'gnss.speed' is not a boolean signal");
  expect(() => deviceConfig({ inputs: [{ signal: 'doors', pin: 1 }] }, full, 'b.json')).toThrow("b.json: inputs[0].signal: 'doors' is not a catalogue signal");
  expect(() => deviceConfig({ accel: { driver: 'mpu6050' } }, full, 'b.json')).toThrow("b.json: accel.driver: 'mpu6050' is not a driver");
  expect(() => deviceConfig({ accel: { driver: 'lis3dh', hz: -1 } }, full, 'b.json')).toThrow('b.json: accel.hz: a positive number');
});

const esp = espruinoBinary();

describe.skipIf(!esp.bin)(`the boot file in the Linux build of Espruino${esp.bin ? '' : ` — SKIPPED, not passed: ${esp.why}`}`, () => {
  /** Installs the build (no link UART: the Linux build's console is the test's) and runs `probe` after the boot file. */
  async function boot(damage?: string): Promise<string> {
    const dir = out();
    const files = await espruinoFiles(deviceConfig({}, await findProfile('full'), 'test board'));
    installStorage(esp.bin!, dir, files);
    const probe = join(dir, 'probe.js');
    const damaged = damage ? `var S = require("Storage"), d = S.read(${JSON.stringify(damage)}); S.write(${JSON.stringify(damage)}, d.substr(0, 100) + (d[100] === "x" ? "y" : "x") + d.substr(101));\n` : '';
    // damage is done by one run; the next run boots from the damaged Storage
    if (damaged) spawnSync(esp.bin!, ['-e', damaged + 'quit();'], { cwd: dir, input: '', timeout: 120000 });
    writeFileSync(probe, 'print("<<probe " + (typeof _erH !== "undefined" && _erH && !_erH.fault ? "host" : "repl") + " " + typeof EdgeRule + ">>"); clearInterval(); clearTimeout(); quit();\n');
    const r = spawnSync(esp.bin!, [probe], { cwd: dir, input: '', timeout: 120000, encoding: 'latin1' });
    return r.stdout;
  }

  test('intact files: the host starts', async () => {
    expect(await boot()).toContain('<<probe host object>>');
  }, 600_000);

  test('one byte changed in er.host.js: nothing is loaded, the REPL answers, the console says which file', async () => {
    const o = await boot('er.host.js');
    expect(o).toContain('edgerule: not started: er.host.js fails its CRC-32');
    expect(o).toContain('<<probe repl undefined>>');
  }, 600_000);
});
