/** `npm run gen`: writes every generated file (harness/generated-files.ts says which, and from what). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from '../harness/generated-files.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const [path, content] of Object.entries(generatedFiles())) {
  writeFileSync(root + path, content);
  console.log(`wrote ${path}`);
}
