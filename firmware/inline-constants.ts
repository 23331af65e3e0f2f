/**
 * Constant inlining for the device builds (firmware/artifacts.ts `minified`). The runtime's wire and layout
 * constants are `export var NAME = 12` (runtime/link/constants.ts and others): esbuild inlines enums but keeps
 * such vars, and on Espruino every one of them is a variable in the artifact's closure for as long as the device
 * runs (≈ 300 in the link alone). This pass replaces each reference to a var that is
 *   - declared exactly once in the whole file (no parameter, function, catch or other var of that name anywhere),
 *   - initialised with an integer literal (optionally negated, |v| < 2^31) or a boolean (`!0`, `!1`),
 *   - never assigned, incremented or decremented after its declaration,
 * by its value, and drops the declaration. Integer literals are exact on every engine (Espruino parses decimal
 * fractions inexactly, so fractions are left alone), and a name that is never written holds its initial value
 * wherever it is read after the declaration ran, so behaviour is unchanged. Property names (`a.NAME`, `{NAME: …}`)
 * are not references and stay.
 */
import ts from 'typescript';

interface Candidate { decl: ts.VariableDeclaration; value: string; refs: ts.Identifier[]; ok: boolean }

/** The integer or boolean literal text of an initialiser, or null. */
function literalOf(e: ts.Expression | undefined): string | null {
  if (!e) return null;
  if (ts.isNumericLiteral(e)) {
    const v = Number(e.text);
    return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? String(v) : null;
  }
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
    const inner = literalOf(e.operand);
    return inner !== null && /^\d+$/.test(inner) ? `-${inner}` : null;
  }
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken && ts.isNumericLiteral(e.operand) && /^[01]$/.test(e.operand.text)) {
    return `!${e.operand.text}`;
  }
  if (e.kind === ts.SyntaxKind.TrueKeyword) return '!0';
  if (e.kind === ts.SyntaxKind.FalseKeyword) return '!1';
  return null;
}

/** Is this identifier a name of a binding (or a property), not a reference to one? */
function isNotReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return true;
  if (ts.isPropertyAssignment(p) && p.name === id) return true;
  if ((ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p)) && p.name === id) return true;
  if (ts.isParameter(p) && p.name === id) return true;
  if (ts.isVariableDeclaration(p) && p.name === id) return true;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return true;
  return false;
}

function isWrite(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isBinaryExpression(p) && p.left === id && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return true;
  if ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)) return true;
  if (ts.isForInStatement(p) && p.initializer === id) return true;
  return false;
}

/** One pass: the source with every eligible constant inlined, and how many were. */
export function inlineConstants(code: string): { code: string; inlined: number } {
  const sf = ts.createSourceFile('artifact.js', code, ts.ScriptTarget.ES5, true, ts.ScriptKind.JS);
  const declared = new Map<string, number>();
  const cands = new Map<string, Candidate>();
  const ids: ts.Identifier[] = [];
  const count = (n: string) => declared.set(n, (declared.get(n) ?? 0) + 1);
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) {
      count(n.name.text);
      const value = literalOf(n.initializer);
      // only declarations that stand in a `var` statement of their own list (not a for-loop's head)
      if (value !== null && ts.isVariableStatement(n.parent.parent)) cands.set(n.name.text, { decl: n, value, refs: [], ok: true });
    } else if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) && n.name) count(n.name.text);
    else if (ts.isParameter(n) && ts.isIdentifier(n.name)) count(n.name.text);
    else if (ts.isCatchClause(n) && n.variableDeclaration && ts.isIdentifier(n.variableDeclaration.name)) count(n.variableDeclaration.name.text);
    else if (ts.isIdentifier(n)) ids.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  for (const id of ids) {
    const c = cands.get(id.text);
    if (!c || isNotReference(id)) continue;
    if (isWrite(id)) c.ok = false;
    else c.refs.push(id);
  }
  const edits: Array<{ at: number; end: number; text: string }> = [];
  const dropped = new Set<ts.VariableDeclaration>();
  for (const [name, c] of cands) {
    if (!c.ok || declared.get(name) !== 1) continue;
    dropped.add(c.decl);
    for (const r of c.refs) edits.push({ at: r.getStart(sf), end: r.end, text: /^\d+$/.test(c.value) ? ` ${c.value} ` : `(${c.value})` });
  }
  // var statements that lose declarations are written anew with the ones that stay (or dropped whole)
  const statements = new Set<ts.VariableStatement>();
  for (const d of dropped) statements.add(d.parent.parent as ts.VariableStatement);
  // inner statements first (a function in one var statement may hold another): the outer one is then written
  // from text that already carries the inner one's new form
  for (const s of [...statements].sort((a, b) => (a.end - a.pos) - (b.end - b.pos))) {
    const keep = s.declarationList.declarations.filter((d) => !dropped.has(d));
    const inner = (d: ts.VariableDeclaration) => {
      let text = '';
      let last = d.getStart(sf);
      for (const e of edits.filter((x) => x.at >= d.getStart(sf) && x.end <= d.end).sort((a, b) => a.at - b.at)) {
        text += code.slice(last, e.at) + e.text;
        last = e.end;
      }
      return text + code.slice(last, d.end);
    };
    const body = keep.map(inner).join(',');
    for (let i = edits.length - 1; i >= 0; i--) if (edits[i].at >= s.getStart(sf) && edits[i].end <= s.end) edits.splice(i, 1);
    edits.push({ at: s.getStart(sf), end: s.end, text: keep.length ? `var ${body};` : ';' });
  }
  edits.sort((a, b) => b.at - a.at);
  let out = code;
  for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  return { code: out, inlined: dropped.size };
}
