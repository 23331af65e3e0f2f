/** Generated files (runtime opcode tables, catalogue hash and signal names, the tables of docs/BYTECODE.md and docs/DSL.md) must match their sources. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { generatedFiles } from '../harness/generated-files.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

for (const [path, content] of Object.entries(generatedFiles())) {
  test(`${path} is up to date with compiler/isa.ts and the catalogue (run \`npm run gen\`)`, () => {
    expect(readFileSync(root + path, 'utf8')).toBe(content);
  });
}

test('every opcode row appears in docs/BYTECODE.md', async () => {
  const { ISA } = await import('../compiler/isa.ts');
  const doc = readFileSync(root + 'docs/BYTECODE.md', 'utf8');
  for (const op of ISA) expect(doc).toContain(`| \`${op.name}\` |`);
});

test('docs/DSL.md lists every catalogue signal with its id, unit and range', async () => {
  const { Catalogue, SIGNAL_NAMES, signalMeta } = await import('../compiler/dsl/catalogue.ts');
  const doc = readFileSync(root + 'docs/DSL.md', 'utf8');
  for (const name of SIGNAL_NAMES) {
    const c = Catalogue[name] as unknown as { minimum: number; maximum: number };
    expect(doc).toContain(`| \`${name}\` | ${signalMeta(name).id} | ${signalMeta(name).unit} | ${c.minimum} … ${c.maximum} |`);
  }
});
