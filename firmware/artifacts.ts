/**
 * The built artifacts (dist/, made by `npm run build`) as the target builds package them: read, and minified
 * for devices (esbuild with identifier mangling, ES5 target: the dist files are only whitespace-minified so
 * stack traces stay readable on the desktop).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { inlineConstants } from './inline-constants.ts';

export type ArtifactName = 'runtime' | 'signing' | 'link' | 'host' | 'espruino';

const FILES: Record<ArtifactName, string> = {
  runtime: 'edgerule-runtime.js', signing: 'edgerule-signing.js', link: 'edgerule-link.js', host: 'edgerule-host.js', espruino: 'edgerule-espruino.js',
};

export function artifactPath(name: ArtifactName): string {
  return fileURLToPath(new URL(`../dist/${FILES[name]}`, import.meta.url));
}

export function readArtifact(name: ArtifactName): string {
  const p = artifactPath(name);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first`);
  return readFileSync(p, 'utf8');
}

/**
 * Minified for a device: mangled local names, integer constants inlined (inline-constants.ts: each is an Espruino
 * variable otherwise); globals (EdgeRule) and property names stay. Minifying again after an inlining pass folds
 * what became literal arithmetic (FRAME_HEADER + FRAME_CRC), which the next pass can inline in turn.
 */
export async function minified(name: ArtifactName): Promise<string> {
  const min = async (code: string) => (await transform(code, { minify: true, target: 'es5', legalComments: 'none', charset: 'ascii' })).code;
  let code = await min(readArtifact(name));
  for (let pass = 0; pass < 4; pass++) {
    const r = inlineConstants(code);
    if (!r.inlined) break;
    code = await min(r.code);
  }
  return renameIdentifier(code, 'of');
}

/**
 * Espruino's lexer reserves `of` (for…of), which ES5 does not, so esbuild's mangler may name a function `of`
 * ("SyntaxError: Got of expected ID" at load on a board). Renames that identifier wherever it stands outside a
 * string literal (the minified ES5 has no comments and no template literals) to a name the code does not use.
 */
export function renameIdentifier(code: string, word: string): string {
  let fresh = `${word}$`;
  while (code.includes(fresh)) fresh += '$';
  const isName = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$]/.test(c);
  let out = '';
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < code.length && code[j] !== c) j += code[j] === '\\' ? 2 : 1;
      out += code.slice(i, j + 1);
      i = j + 1;
    } else if (code.startsWith(word, i) && !isName(code[i - 1]) && code[i - 1] !== '.' && !isName(code[i + word.length])) {
      out += fresh;
      i += word.length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
