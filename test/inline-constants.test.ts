/**
 * The device builds' constant inlining (firmware/inline-constants.ts): constants that cannot change are replaced by
 * their values; anything written, declared twice, fractional or a property name stays as it was.
 */
import { describe, expect, it } from 'vitest';
import { inlineConstants } from '../firmware/inline-constants.ts';
import { minified, readArtifact } from '../firmware/artifacts.ts';

const run = (code: string) => new Function(`${code}; return out;`)();

describe('inlineConstants', () => {
  it('inlines integer and boolean constants and drops their declarations', () => {
    const src = 'var A=12,B=-3,C=!0,F=function(x){return x+A+B};var out=[F(1),C,A<<1];';
    const r = inlineConstants(src);
    expect(r.inlined).toBe(3);
    expect(r.code).not.toMatch(/\bA\b|\bB\b|\bC\b/);
    expect(run(r.code)).toEqual(run(src));
  });

  it('leaves written, twice-declared and fractional names, and property names, alone', () => {
    const src = 'var W=1,D=2,H=0.1,K=5,o={K:K};W++;function f(D){return D}var out=[W,f(7),D,H,o.K,o["K"]];';
    const r = inlineConstants(src);
    expect(r.inlined).toBe(1); // only K
    expect(r.code).toMatch(/\bW\b/);
    expect(r.code).toMatch(/\bH=\.?0?\.1|H=0\.1/);
    expect(r.code).toMatch(/\{K:/);
    expect(run(r.code)).toEqual(run(src));
  });

  it('keeps the other declarations of a statement, nested statements included', () => {
    const src = 'var A=4,g=function(){var B=2,c=[B,A];return c},out=g();';
    const r = inlineConstants(src);
    expect(r.inlined).toBe(2);
    expect(run(r.code)).toEqual([2, 4]);
  });

  it('the device build of the link carries none of its integer wire constants as variables', async () => {
    const link = await minified('link');
    const left = inlineConstants(link);
    expect(left.inlined).toBe(0);
    expect(link.length).toBeLessThan(readArtifact('link').length);
  });
});
