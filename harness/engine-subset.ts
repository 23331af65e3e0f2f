/**
 * Lints built runtime code for what esbuild's ES5 target does not catch but an engine lacks or breaks
 * (shared/ENGINES.md): ES2015+ library calls, typed-array methods Duktape/Espruino miss, getters, and the like.
 */
export interface SubsetFinding { offset: number; reason: string; context: string }

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\b(Map|Set|WeakMap|WeakSet|Symbol|Promise|Proxy|Reflect|BigInt)\b/, 'ES2015+ global missing on Duktape/Espruino'],
  [/Math\.(imul|fround|trunc|clz32|sign|log2|log10|hypot|cbrt)\b/, 'Math function missing on Espruino'],
  [/\.(fill|indexOf|includes|find|findIndex|copyWithin)\(/, 'array method missing on typed arrays in Duktape/Espruino'],
  [/\.slice\(/, 'slice differs on Espruino typed arrays (returns a plain Array) and is missing from String/Array prototypes'],
  [/\bObject\.(defineProperty|assign|entries|values|freeze)\b/, 'Object API missing or partial on Espruino'],
  [/\bget\s+\w+\s*\(/, 'getter syntax'],
  [/=>|`/, 'arrow function or template literal'],
  [/\b(let|const|class)\s/, 'ES2015 declaration'],
  [/\.(padStart|padEnd|repeat|startsWith|endsWith)\(/, 'ES2015+ String method'],
  [/\.length\s*(=[^=]|--|\+\+|[-+]=)/, 'assigning array.length (Espruino: "Assignment to a constant")'],
];

export function lintEngineSubset(code: string): SubsetFinding[] {
  const findings: SubsetFinding[] = [];
  for (const [pattern, reason] of FORBIDDEN) {
    const global = new RegExp(pattern.source, 'g');
    for (let m = global.exec(code); m; m = global.exec(code)) {
      findings.push({ offset: m.index, reason, context: code.slice(Math.max(0, m.index - 20), m.index + 30) });
    }
  }
  return findings.sort((a, b) => a.offset - b.offset);
}
