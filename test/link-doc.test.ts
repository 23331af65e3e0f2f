// docs/PROTOCOL.md's worked examples are generated from the real link agent and host encoder
// (harness/protocol-doc.ts): the document must still say exactly what the code does.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { DOC_PATH, documentWithExamples } from '../harness/protocol-doc.ts';

test('docs/PROTOCOL.md holds the examples the code generates (run harness/protocol-doc.ts --write after a change)', async () => {
  expect(readFileSync(DOC_PATH, 'utf8')).toBe(await documentWithExamples());
});

test('every message type and status code in runtime/link/constants.ts is in the document', async () => {
  const C = await import('../runtime/link/constants.ts');
  const doc = readFileSync(DOC_PATH, 'utf8');
  for (const [name, v] of Object.entries(C)) {
    if (name.startsWith('MSG_')) expect(doc, name).toContain(`\`0x${(v as number).toString(16).padStart(2, '0')}\``);
    if (name.startsWith('ST_')) expect(doc, name).toMatch(new RegExp(`\\| ${v} \\| ${name.slice(3)} \\|`));
  }
});
