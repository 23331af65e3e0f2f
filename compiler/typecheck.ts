/**
 * Type-checks rule files before `edgerule compile` loads them, with the TypeScript compiler in process: units are
 * types (compiler/dsl), so `sig('gnss.speed').below(minutes(1))` is a type error here and never reaches a bundle.
 *
 * What is checked: the rule files and every file they import, except edgerule's own sources (their types are used,
 * their bodies are edgerule's business and are checked by its own CI), with the compiler options of the nearest
 * tsconfig.json above the first rule file, or strict defaults. Diagnostics come back as the compiler's others do:
 * `file:line:col: error TS2345: …`.
 *
 * Kept fast by a record of clean checks (cli/cache-dir.mjs): after a check without errors, the content hash of every
 * source file the program read (size and mtime for packages under node_modules) is stored under a key made of the
 * rule files, the tsconfig and the TypeScript version. When nothing changed, the next compile re-hashes those files
 * and does not load TypeScript at all. A check that found errors is never recorded.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TS from 'typescript';
import { cachePath, readCached, writeCached } from '../cli/cache-dir.mjs';
import type { Diagnostic } from './diagnostics.ts';

/** The edgerule package's root, and its own source folders (not checked, only used). */
const PACKAGE_ROOT = realpathSync(fileURLToPath(new URL('..', import.meta.url)));
const OWN_SOURCES = ['compiler', 'runtime', 'cli', 'simulator', 'signing', 'hil'].map((d) => join(PACKAGE_ROOT, d) + sep);

export interface TypeCheckResult {
  diagnostics: Diagnostic[];
  /** True when the record of a clean check answered and TypeScript was not loaded. */
  cached: boolean;
}

/** The nearest tsconfig.json in `dir` or above it. */
function findTsconfig(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'tsconfig.json'))) return join(d, 'tsconfig.json');
    if (dirname(d) === d) return undefined;
  }
}

const require = createRequire(import.meta.url);

function typescriptVersion(): string {
  try {
    return (JSON.parse(readFileSync(require.resolve('typescript/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'missing';
  }
}

function isPackageFile(file: string): boolean {
  return file.includes(`${sep}node_modules${sep}`) || file.includes('/node_modules/');
}

/** What a source file is recorded by: its content hash, or size and mtime for a package file. */
function fingerprint(file: string): string {
  try {
    if (isPackageFile(file)) {
      const s = statSync(file);
      return `${s.size}:${s.mtimeMs}`;
    }
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return 'missing';
  }
}

function recordPath(files: string[], tsconfig: string | undefined): string | undefined {
  const key = createHash('sha256')
    .update(typescriptVersion()).update('\0')
    .update(tsconfig ?? '(defaults)').update('\0').update(tsconfig ? readFileSync(tsconfig) : '').update('\0')
    .update([...files].sort().join('\0'))
    .digest('hex');
  return cachePath('typecheck', key + '.json');
}

/** True when a clean check of exactly these files is on record. */
function recordedClean(record: string | undefined): boolean {
  const text = readCached(record);
  if (text === undefined) return false;
  try {
    const files = JSON.parse(text) as Record<string, string>;
    return Object.entries(files).every(([file, print]) => fingerprint(file) === print);
  } catch {
    return false;
  }
}

/** Strict defaults for rule files without a tsconfig.json (types of Node only when they are installed). */
function defaultOptions(ts: typeof TS): TS.CompilerOptions {
  let nodeTypes = false;
  try { require.resolve('@types/node/package.json'); nodeTypes = true; } catch { /* not installed */ }
  return {
    strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, allowImportingTsExtensions: true, resolveJsonModule: true,
    types: nodeTypes ? ['node'] : [],
  };
}

function compilerOptions(ts: typeof TS, tsconfig: string | undefined): { options: TS.CompilerOptions; errors: readonly TS.Diagnostic[] } {
  if (!tsconfig) return { options: defaultOptions(ts), errors: [] };
  const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
  if (read.error) return { options: defaultOptions(ts), errors: [read.error] };
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(tsconfig), undefined, tsconfig);
  // Only the options: the config's own file list is the project's business, not this compile's.
  return { options: { ...parsed.options, noEmit: true }, errors: parsed.errors.filter((e) => e.code !== 18003) };
}

function toDiagnostic(ts: typeof TS, d: TS.Diagnostic): Diagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  const severity = d.category === ts.DiagnosticCategory.Error ? 'error' as const : 'warning' as const;
  if (!d.file || d.start === undefined) return { code: `TS${d.code}`, severity, message };
  const pos = d.file.getLineAndCharacterOfPosition(d.start);
  return { code: `TS${d.code}`, severity, message, loc: { file: d.file.fileName, line: pos.line + 1, col: pos.character + 1 } };
}

/**
 * Parsed source files kept for the life of the process, by name and text: a second check in the same process (the
 * simulator compiling after a compile, a test suite) parses the standard library, Node's types and the DSL once.
 */
const parsed = new Map<string, TS.SourceFile>();

function cachingHost(ts: typeof TS, options: TS.CompilerOptions): TS.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = host.readFile(fileName);
    const key = `${fileName}\0${typeof languageVersion === 'object' ? JSON.stringify(languageVersion) : languageVersion}`;
    const known = parsed.get(key);
    if (known && text !== undefined && known.text === text) return known;
    const sf = read(fileName, languageVersion, onError, shouldCreate);
    if (sf) parsed.set(key, sf);
    return sf;
  };
  return host;
}

/** Checks `files` (absolute paths of the rule files about to be loaded). */
export async function typeCheck(files: string[]): Promise<TypeCheckResult> {
  const tsconfig = files.length ? findTsconfig(dirname(files[0])) : undefined;
  const record = recordPath(files, tsconfig);
  if (recordedClean(record)) return { diagnostics: [], cached: true };
  let ts: typeof TS;
  try {
    ts = ((await import('typescript')) as unknown as { default: typeof TS }).default;
  } catch {
    return { diagnostics: [{ code: 'ER003', severity: 'error', message: 'cannot type-check: the typescript package is not installed (npm install typescript), or pass --no-typecheck to compile without the check' }], cached: false };
  }
  const { options, errors } = compilerOptions(ts, tsconfig);
  const program = ts.createProgram({ rootNames: files, options, host: cachingHost(ts, options) });
  // By real path: edgerule reached through a symlink (npm link, a mirrored folder) is still edgerule's own.
  const own = (f: string) => { try { f = realpathSync(f); } catch { /* keep the path */ } return OWN_SOURCES.some((d) => f.startsWith(d)); };
  const checked = program.getSourceFiles().filter((sf) => !isPackageFile(sf.fileName) && !sf.isDeclarationFile && !own(resolve(sf.fileName)));
  const found = [
    ...errors, ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(),
    ...checked.flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]),
  ].filter((d) => d.category === ts.DiagnosticCategory.Error || d.category === ts.DiagnosticCategory.Warning);
  const diagnostics = found.map((d) => toDiagnostic(ts, d));
  if (!diagnostics.some((d) => d.severity === 'error')) {
    const prints: Record<string, string> = {};
    for (const sf of program.getSourceFiles()) prints[resolve(sf.fileName)] = fingerprint(resolve(sf.fileName));
    if (tsconfig) prints[tsconfig] = fingerprint(tsconfig);
    writeCached(record, JSON.stringify(prints));
  }
  return { diagnostics, cached: false };
}
