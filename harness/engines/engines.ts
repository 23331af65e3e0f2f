// The project's one way to run a plain ES5 script on every JS engine the runtime targets (Node, Moddable XS,
// Duktape, Espruino). Each run is a child process fed from a temp file; the script reports with a global
// print(string), one line per call, and runScript resolves with exactly those lines on stdout (Espruino's
// banner, \r and prompt echoes removed) or rejects with the engine's error text (non-zero exit, uncaught
// error, out of memory, or timeout — the child's whole process group is killed).
// Engine facts behind the choices here: ENGINES.md in ../shared, next to the project root.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type EngineName = 'node' | 'xs' | 'duktape' | 'espruino';
export interface EngineInfo {
  name: EngineName;
  available: boolean;
  /** why not available */
  why?: string;
  command: string;
}
export interface RunOptions {
  /** kill the engine and reject after this long (default 120 s) */
  timeoutMs?: number;
  /** working directory of the engine (Espruino keeps its Storage in ./espruino.flash); default: a fresh temp dir */
  cwd?: string;
  /**
   * Espruino only: first write the script into Storage (in chunks, over several runs) and then run it with
   * `eval(require("Storage").read(...))`, as a device runs an app from flash. Its source text then costs almost
   * no variables (string literals are still copied to RAM when evaluated), which big scripts need on a
   * fixed-store build; code runs ~5x slower on the Linux build (flash reads go through a file). Max ~250 KB.
   * The result's `ms` is the final run's only.
   */
  espruinoStorage?: boolean;
}
export interface RunResult {
  stdout: string;
  stderr: string;
  ms: number;
}

/** Rejection value of runScript: the engine's error text is in `message`; raw output is kept. */
export class ScriptError extends Error {
  constructor(
    message: string,
    readonly engine: EngineName,
    readonly stdout: string,
    readonly stderr: string,
    readonly exitCode: number | null,
    readonly signal: string | null,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'ScriptError';
  }
}

const HERE = dirname(fileURLToPath(import.meta.url));
const NODE_CHILD = join(HERE, 'node-child.mjs');
const XS_CHILD = join(HERE, 'xs-child.mjs');
const ALL: EngineName[] = ['node', 'xs', 'duktape', 'espruino'];
const DEFAULT_TIMEOUT_MS = 120_000;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `name` if it contains a slash, else its first executable match on PATH. */
function which(name: string): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function xsInfo(): EngineInfo {
  const command = `${process.execPath} ${XS_CHILD}`;
  try {
    const req = createRequire(import.meta.url);
    const pkgDir = dirname(req.resolve('@agoric/xsnap/package.json'));
    req.resolve('@endo/init');
    const worker = join(pkgDir, 'xsnap-native/xsnap/build/bin/lin/release/xsnap-worker');
    if (process.platform !== 'linux') return { name: 'xs', available: false, why: 'xsnap workers are only set up for Linux here', command };
    if (!isExecutable(worker)) {
      return { name: 'xs', available: false, why: `@agoric/xsnap is installed but its worker was not built (${worker}); its install script must run (npm ci with allowScripts)`, command };
    }
    return { name: 'xs', available: true, command };
  } catch (e) {
    return { name: 'xs', available: false, why: `@agoric/xsnap or @endo/init not installed (${(e as Error).message.split('\n')[0]})`, command };
  }
}

function engineInfo(name: EngineName): EngineInfo {
  switch (name) {
    case 'node':
      return { name, available: true, command: `${process.execPath} ${NODE_CHILD}` };
    case 'xs':
      return xsInfo();
    case 'duktape': {
      const duk = which('duk');
      return duk
        ? { name, available: true, command: duk }
        : { name, available: false, why: '`duk` is not on PATH (Debian package `duktape`)', command: 'duk' };
    }
    case 'espruino': {
      const env = process.env.ESPRUINO;
      if (!env) {
        return { name, available: false, why: 'env ESPRUINO is not set (set it to a Linux host build of Espruino, e.g. ESPRUINO=/path/to/espruino)', command: '$ESPRUINO' };
      }
      const bin = which(env);
      return bin
        ? { name, available: true, command: bin }
        : { name, available: false, why: `env ESPRUINO=${env} does not name an executable file`, command: env };
    }
  }
}

/** Every engine, with whether it can run here and why not. */
export function engines(): EngineInfo[] {
  return ALL.map(engineInfo);
}

/** Engines that must be available in CI (env CI=true); tests fail loudly there if one is missing. */
export function requiredEngines(): EngineName[] {
  return ['node', 'xs', 'duktape'];
}

/**
 * The engines a cross-engine comparison must have heard from: every available engine and, in CI, every required
 * one. A test that says "all engines agree" checks `enginesNotCompared(ran)` is empty, so it fails when an engine
 * that should have run did not (instead of passing on whichever engines happened to run).
 */
export function enginesToCompare(): EngineName[] {
  const ci = process.env.CI === 'true';
  return engines().filter((e) => e.available || (ci && requiredEngines().includes(e.name))).map((e) => e.name);
}

/** Engines of enginesToCompare() missing from `ran`. */
export function enginesNotCompared(ran: Iterable<EngineName>): EngineName[] {
  const have = new Set(ran);
  return enginesToCompare().filter((e) => !have.has(e));
}

/** Required engines that are not available (empty when all is well). */
export function missingRequiredEngines(): EngineInfo[] {
  return engines().filter((e) => requiredEngines().includes(e.name) && !e.available);
}

/** A loud multi-line banner of which engines run and which are skipped and why, for test output. */
export function describeEngines(): string {
  const list = engines();
  const ci = process.env.CI === 'true';
  const bar = '='.repeat(78);
  const lines = [bar, `JS ENGINES${ci ? ' (CI: node, xs and duktape are required)' : ''}`];
  for (const e of list) {
    const status = e.available ? 'runs   ' : requiredEngines().includes(e.name) && ci ? 'MISSING' : 'SKIPPED';
    lines.push(`  ${e.name.padEnd(9)} ${status}  ${e.available ? e.command : e.why}`);
  }
  const skipped = list.filter((e) => !e.available).map((e) => e.name);
  if (skipped.length) lines.push(`  >>> tests on ${skipped.join(', ')} are SKIPPED, not passed <<<`);
  lines.push(bar);
  return lines.join('\n');
}

interface ChildResult {
  stdout: string;
  stderr: string;
  ms: number;
  code: number | null;
  signal: string | null;
  timedOut: boolean;
}

function runChild(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // detached: the child leads its own process group, so a timeout kills it and anything it spawned (xsnap-worker)
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - t0,
        code,
        signal,
        timedOut,
      });
    });
  });
}

// --- Espruino output handling -------------------------------------------------------------------------------
// The Linux build prints a banner before the script's output, ends lines with \r\n, prints a `>` prompt when the
// top-level code is done, and erases it (`\r` ESC[J) before each later console write (timers). The harness
// prepends a marker print on the script's first line (so line numbers are unchanged) and keeps what follows it.
const ESPRUINO_MARK = '<<edgerule:script-start>>';
const ESPRUINO_FAILURE = /^(Uncaught |OUT OF MEMORY|Execution Interrupted|New interpreter error|ERROR: )/m;

function cleanEspruino(raw: string): string {
  let s = raw.replace(/\r\n/g, '\n');
  const at = s.indexOf(ESPRUINO_MARK + '\n');
  s = at >= 0 ? s.slice(at + ESPRUINO_MARK.length + 1) : s;
  s = s.replace(/(^|\n)>\r\x1b\[J/g, '$1').replace(/\r\x1b\[J/g, '');
  s = s.replace(/(^|\n)>$/, '$1');
  return s.replace(/\r/g, '');
}

const STORAGE_NAME = '_edgerule.js';
const STORAGE_CHUNK = 16 * 1024; // bytes per writer run: its base64 literal + decoded string fit a 12,000-variable store

async function writeEspruinoStorage(bin: string, source: string, dir: string, cwd: string, deadline: number): Promise<void> {
  const bytes = Buffer.from(source + '\n', 'utf8'); // never empty: Storage refuses zero-length files
  for (let off = 0; off < bytes.length; off += STORAGE_CHUNK) {
    const part = bytes.subarray(off, off + STORAGE_CHUNK).toString('base64');
    const sizeArg = off === 0 ? `, ${bytes.length}` : '';
    const file = join(dir, `w${off}.js`);
    writeFileSync(file, `print(${JSON.stringify(ESPRUINO_MARK)});print(require("Storage").write(${JSON.stringify(STORAGE_NAME)}, atob("${part}"), ${off}${sizeArg}) ? "ok" : "failed");\n`);
    const r = await runChild(bin, [file], cwd, Math.max(1, deadline - Date.now()));
    const out = cleanEspruino(r.stdout);
    if (r.code !== 0 || out.trim() !== 'ok') {
      throw new ScriptError(`espruino: writing the script to Storage failed at byte ${off} of ${bytes.length}${r.timedOut ? ' (timed out)' : ''}:\n${out}${r.stderr}`, 'espruino', out, r.stderr, r.code, r.signal, r.timedOut);
    }
  }
}

/**
 * Run `source` (plain ES5 using print) on `engine` in a child process. Resolves with the printed lines
 * (`\n`-terminated), the engine's stderr and the wall-clock ms of the run; rejects with a ScriptError carrying
 * the engine's error text if the script throws, the engine fails, or `timeoutMs` passes.
 */
export async function runScript(engine: EngineName, source: string, opts: RunOptions = {}): Promise<RunResult> {
  const info = engineInfo(engine);
  if (!info.available) throw new Error(`engine ${engine} is not available: ${info.why}`);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const dir = mkdtempSync(join(tmpdir(), `edgerule-${engine}-`));
  const cwd = opts.cwd ?? dir;
  try {
    const file = join(dir, 'script.js');
    let cmd: string;
    let args: string[];
    switch (engine) {
      case 'node':
        writeFileSync(file, source);
        [cmd, args] = [process.execPath, [NODE_CHILD, file]];
        break;
      case 'xs':
        writeFileSync(file, source);
        [cmd, args] = [process.execPath, [XS_CHILD, file]];
        break;
      case 'duktape':
        writeFileSync(file, source);
        [cmd, args] = [info.command, [file]];
        break;
      case 'espruino': {
        const mark = `print(${JSON.stringify(ESPRUINO_MARK)});`;
        if (opts.espruinoStorage) {
          await writeEspruinoStorage(info.command, source, dir, cwd, deadline);
          writeFileSync(file, `${mark}eval(require("Storage").read(${JSON.stringify(STORAGE_NAME)}));\n`);
        } else {
          writeFileSync(file, mark + source); // same line: the script's line numbers stay as they are
        }
        [cmd, args] = [info.command, [file]];
        break;
      }
    }
    const r = await runChild(cmd, args, cwd, Math.max(1, deadline - Date.now()));
    const stdout = engine === 'espruino' ? cleanEspruino(r.stdout) : r.stdout;
    const failed = r.timedOut || r.code !== 0 || (engine === 'espruino' && ESPRUINO_FAILURE.test(stdout));
    if (failed) {
      const how = r.timedOut
        ? `timed out after ${timeoutMs} ms (killed)`
        : r.code !== 0
          ? `exited with ${r.code ?? r.signal}`
          : 'reported an uncaught error';
      // Espruino reports errors on stdout; the others on stderr.
      const text = engine === 'espruino' ? stdout.slice(stdout.search(ESPRUINO_FAILURE) >= 0 ? stdout.search(ESPRUINO_FAILURE) : 0) + r.stderr : r.stderr || stdout;
      throw new ScriptError(`${engine}: script ${how}:\n${text.trim()}`, engine, stdout, r.stderr, r.code, r.signal, r.timedOut);
    }
    return { stdout, stderr: r.stderr, ms: r.ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
