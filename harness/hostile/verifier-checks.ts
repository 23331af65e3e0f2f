/**
 * The verifier's checks, found in its source: every line of runtime/engine/verify.ts that refuses a bundle
 * (`bad(p, F_…)` or `fail(p, F_…)`) carries a `// check: <name>` tag. For tests only, instrumentedVerify() loads a
 * copy of verify.ts whose tagged lines also record their name, so a test can tell which check refused a bundle
 * (two checks may share a fault code and offset). The runtime artifact itself is never instrumented.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENGINE = fileURLToPath(new URL('../../runtime/engine/', import.meta.url));
const VERIFY = ENGINE + 'verify.ts';
const FAULT_CALL = /\b(bad|fail)\(p, F_/g;
const TAG = /\/\/ check: ([a-z0-9-]+)\s*$/;

export interface VerifierCheck { name: string; line: number; text: string }

/** Every line that refuses a bundle, with its tag; throws when a fault line has no tag or two calls, or a name repeats. */
export function verifierChecks(source = readFileSync(VERIFY, 'utf8')): VerifierCheck[] {
  const checks: VerifierCheck[] = [];
  source.split('\n').forEach((text, i) => {
    const trimmed = text.trim();
    if (trimmed.startsWith('*') || trimmed.startsWith('/*') || trimmed.startsWith('//')) return;
    const calls = text.match(FAULT_CALL)?.length ?? 0;
    const tag = TAG.exec(text);
    if (calls === 0 && !tag) return;
    if (calls !== 1 || !tag) throw new Error(`runtime/engine/verify.ts:${i + 1}: a fault line needs exactly one bad()/fail() call and a '// check: <name>' tag`);
    if (checks.some((c) => c.name === tag[1])) throw new Error(`runtime/engine/verify.ts:${i + 1}: check '${tag[1]}' is named twice`);
    checks.push({ name: tag[1], line: i + 1, text: trimmed });
  });
  return checks;
}

export interface CheckedResult { fault: number; faultAt: number; check?: string }

/** verify() from a copy of verify.ts whose tagged lines also record their check name (test-only). */
export async function instrumentedVerify(): Promise<(bytes: Uint8Array) => CheckedResult> {
  const source = readFileSync(VERIFY, 'utf8');
  verifierChecks(source);
  const instrumented = source.split('\n').map((text) => {
    const tag = TAG.exec(text);
    return tag ? text.replace(FAULT_CALL, (call) => call.replace('(p, ', `(((p as { check?: string }).check = '${tag[1]}', p), `)) : text;
  }).join('\n').replace(/from '\.\/([^']+)'/g, (_, file) => `from '${ENGINE}${file}'`);
  const dir = mkdtempSync(join(tmpdir(), 'edgerule-verify-'));
  const file = join(dir, 'verify-instrumented.ts');
  writeFileSync(file, instrumented);
  try {
    const mod = await import(file) as { verify: (bytes: Uint8Array) => CheckedResult };
    return mod.verify;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
