/**
 * The generated parts of docs/DSL.md, from the sources that own the facts:
 *   SIGNALS    the catalogue (compiler/dsl/catalogue.ts): name, id, unit, range, typical rate, meaning
 *   UNITS      the quantity constructors (compiler/dsl/units.ts): name, unit, conversion
 *   OPERATORS  every public method and function of the DSL, with its signature, its doc comment and its `@example`
 *              (compiler/dsl/signals.ts, expr.ts, geo.ts), read with the TypeScript parser
 *   RULE       the fields of rule({...}) (compiler/dsl/rule.ts RuleSpec), likewise
 *   UNKNOWN    what conditions give for a signal never reported, measured by running tiny rules through the runtime
 *              artifact (so the table is the device's behaviour, not a claim about it)
 * harness/generated-files.ts writes them between their markers; test/generated.test.ts keeps them current, and
 * test/dsl-types.test.ts type-checks every `@example`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { Catalogue, SIGNAL_BY_ID, signalMeta } from '../compiler/dsl/catalogue.ts';
import * as DSL from '../compiler/dsl/index.ts';
import { compileRules } from '../compiler/compile.ts';
import { FULL_PROFILE } from '../compiler/profiles.ts';
import { loadRuntimeArtifact } from '../simulator/artifact.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface DslEntry {
  /** Where it is called on ('Bool', 'Num<U>', …) or '' for a function. */
  on: string;
  name: string;
  /** `(x: Num<U>): Bool` */
  signature: string;
  doc: string;
  example?: string;
  file: string;
}

function jsDoc(node: ts.Node): { doc: string; example?: string } {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  const last = docs[docs.length - 1];
  if (!last) return { doc: '' };
  const text = ts.getTextOfJSDocComment(last.comment) ?? '';
  const example = last.tags?.find((t) => t.tagName.text === 'example');
  return { doc: text.replace(/\s+/g, ' ').trim(), example: example ? (ts.getTextOfJSDocComment(example.comment) ?? '').trim() : undefined };
}

function signatureOf(node: ts.MethodDeclaration | ts.FunctionDeclaration, sf: ts.SourceFile): string {
  const types = node.typeParameters ? `<${node.typeParameters.map((t) => t.getText(sf)).join(', ')}>` : '';
  const params = node.parameters.map((p) => p.getText(sf).replace(/\s*=\s*[^,]+$/, '?').replace(/\?\?$/, '?')).join(', ');
  return `${types}(${params})${node.type ? ': ' + node.type.getText(sf) : ''}`;
}

/** The name a class is written as where its methods are called: Num<U>, Bool, a signal handle. */
const RECEIVER: Record<string, string> = { Num: 'Num<U>', Bool: 'Bool', Squared: 'Squared<U>', NumSignal: "sig('…') of a number", BoolSignal: "sig('…') of a 0/1 signal" };

/** Names compiler/dsl/index.ts exports: what a rule file can import (and so what the docs list). */
function publicNames(): Set<string> {
  const file = 'compiler/dsl/index.ts';
  const sf = ts.createSourceFile(file, readFileSync(ROOT + file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const names = new Set<string>();
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) for (const e of st.exportClause.elements) names.add(e.name.text);
  }
  return names;
}

/** Public methods of the DSL's classes and its exported functions, in source order. */
export function dslEntries(files = ['compiler/dsl/signals.ts', 'compiler/dsl/expr.ts', 'compiler/dsl/geo.ts']): DslEntry[] {
  const out: DslEntry[] = [];
  const exported = publicNames();
  for (const file of files) {
    const sf = ts.createSourceFile(file, readFileSync(ROOT + file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const st of sf.statements) {
      const exportedNames = (name: string) => exported.has(name);
      const isExported = ts.getCombinedModifierFlags(st as unknown as ts.Declaration) & ts.ModifierFlags.Export;
      if (ts.isClassDeclaration(st) && st.name && isExported && RECEIVER[st.name.text]) {
        for (const m of st.members) {
          if (!ts.isMethodDeclaration(m) || !m.name || ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
          out.push({ on: RECEIVER[st.name.text], name: m.name.getText(sf), signature: signatureOf(m, sf), ...jsDoc(m), file });
        }
      } else if (ts.isFunctionDeclaration(st) && st.name && isExported && exportedNames(st.name.text)) {
        out.push({ on: '', name: st.name.text, signature: signatureOf(st, sf), ...jsDoc(st), file });
      }
    }
  }
  return out;
}

/** The fields of rule({...}) with their docs and examples. */
export function ruleFields(): DslEntry[] {
  const file = 'compiler/dsl/rule.ts';
  const sf = ts.createSourceFile(file, readFileSync(ROOT + file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const spec = sf.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'RuleSpec');
  if (!spec) throw new Error(`${file}: no RuleSpec interface`);
  return spec.members.filter(ts.isPropertySignature).map((m) => ({
    on: 'rule', name: m.name.getText(sf), signature: `${m.questionToken ? '?' : ''}: ${m.type?.getText(sf) ?? ''}`, ...jsDoc(m), file,
  }));
}

/** Quantity constructors: `export const kmh = (v: number) => q<'m/s'>(v / 3.6);` → kmh, m/s, v / 3.6. */
export function unitConstructors(): Array<{ name: string; unit: string; value: string }> {
  const file = 'compiler/dsl/units.ts';
  const sf = ts.createSourceFile(file, readFileSync(ROOT + file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: Array<{ name: string; unit: string; value: string }> = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      const init = d.initializer;
      if (!init || !ts.isArrowFunction(init) || !ts.isCallExpression(init.body)) continue;
      const call = init.body;
      out.push({ name: d.name.getText(sf), unit: call.typeArguments?.[0].getText(sf).replace(/'/g, '') ?? '?', value: call.arguments[0].getText(sf) });
    }
  }
  return out;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function signalTable(): string {
  const rows = SIGNAL_BY_ID.map((name) => {
    const m = signalMeta(name);
    const c = Catalogue[name] as unknown as { minimum: number; maximum: number };
    return `| \`${name}\` | ${m.id} | ${m.unit} | ${c.minimum} … ${c.maximum} | ${m.rateHz} | ${cell(m.description)} |`;
  });
  return ['| signal | id | unit | range | typical Hz | meaning |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

export function unitTable(): string {
  const rows = unitConstructors().map((u) => `| \`${u.name}(v)\` | ${u.unit} | \`${u.value}\` |`);
  return ['| constructor | unit | value on the device |', '|---|---|---|', ...rows].join('\n');
}

export function operatorTable(): string {
  const rows = dslEntries().map((e) => {
    const call = e.on ? `*${cell(e.on)}*\`.${e.name}${cell(e.signature)}\`` : `\`${e.name}${cell(e.signature)}\``;
    return `| ${call} | ${cell(e.doc)} | ${e.example ? `\`${cell(e.example)}\`` : ''} |`;
  });
  return ['| operator | what it gives | example |', '|---|---|---|', ...rows].join('\n');
}

export function ruleTable(): string {
  const rows = ruleFields().map((f) => `| \`${f.name}${cell(f.signature)}\` | ${cell(f.doc)} | ${f.example ? `\`${cell(f.example)}\`` : ''} |`);
  return ['| field | meaning | example |', '|---|---|---|', ...rows].join('\n');
}

/** Conditions on signals never reported, as the unknown-values table shows them (run, not claimed). */
export const UNKNOWN_CASES = [
  "door.isTrue()", "door.isFalse()", "not(door.isTrue())", "door.known()",
  "speed.below(kmh(1))", "speed.above(kmh(1))", "not(speed.below(kmh(1)))", "speed.equals(kmh(0))", "speed.differsFrom(kmh(0))",
  "speed.between(kmh(0), kmh(200))", "temperature.hysteresis(celsius(7.5), celsius(8))",
  "door.isTrue().heldFor(seconds(30))", "door.isFalse().heldFor(seconds(30))", "door.isTrue().notTrueFor(seconds(30))",
  "sig('gnss.lat').stale(seconds(30))", "sig('gnss.lat').heldWhen(door.isTrue()).below(degrees(90))",
];

/** Whether a condition is true at the first evaluation (t = 0) and at t = 60 s when no sample ever arrived. */
export function unknownOutcome(text: string): { start: boolean; later: boolean } {
  const scope: Record<string, unknown> = { ...DSL, door: DSL.sig('door'), speed: DSL.sig('gnss.speed'), temperature: DSL.sig('temperature') };
  const when = new Function(...Object.keys(scope), `return ${text};`)(...Object.values(scope)) as DSL.Bool;
  const bytes = compileRules([DSL.rule({ name: 'probe', description: text, when, severity: 'info' })], FULL_PROFILE).bytes;
  let active = false;
  const seen: Record<number, boolean> = {};
  const rt = loadRuntimeArtifact().load(bytes, { emit() {}, output() {}, interval() {}, state(_r, a) { active = a === 1; } });
  rt.step(0);
  seen[0] = active;
  rt.advanceTo(60_000);
  rt.step(60_000);
  seen[60_000] = active;
  return { start: seen[0], later: seen[60_000] };
}

export function unknownTable(): string {
  const yes = (b: boolean) => (b ? 'true' : 'false');
  const rows = UNKNOWN_CASES.map((c) => {
    const o = unknownOutcome(c);
    return `| \`${cell(c)}\` | ${yes(o.start)} | ${yes(o.later)} |`;
  });
  return ['| condition (door, speed, temperature, gnss.lat never reported) | at the first evaluation | 60 s later |', '|---|---|---|', ...rows].join('\n');
}
