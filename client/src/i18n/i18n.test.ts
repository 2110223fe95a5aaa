import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { en } from './en.ts';
import { zh } from './zh.ts';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(f) && !/\.test\./.test(f) ? [p] : [];
  });
}

test('English and Chinese have the same keys, none empty', () => {
  expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  for (const [k, v] of [...Object.entries(en), ...Object.entries(zh)]) expect(v.trim(), k).not.toBe('');
});

test('both languages use the same placeholders in every message', () => {
  const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(en) as Array<keyof typeof en>)
    expect(vars(zh[key]), key).toEqual(vars(en[key]));
});

test('the Chinese dictionary is actually translated', () => {
  const same = (Object.keys(en) as Array<keyof typeof en>).filter(
    (k) => en[k] === zh[k] && /[a-z]{3}/i.test(en[k]),
  );
  // Brand names and codes may stay as they are; prose may not.
  expect(same.filter((k) => !k.startsWith('brand.') && !k.endsWith('.code'))).toEqual([]);
});

test('every key used in the code exists, and every key exists for a reason', () => {
  const code = sources(srcDir)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const used = new Set([...code.matchAll(/\bt\(\s*'([\w.-]+)'/g)].map((m) => m[1]));
  // Keys built at run time (`state.${s}`…) are listed by their prefix in the code as `t(\`prefix.${`.
  const prefixes = [...code.matchAll(/\bt\(\s*`([\w.-]+)\.\$\{/g)].map((m) => `${m[1]}.`);
  for (const k of used) expect(en, `missing key ${k}`).toHaveProperty([k!]);
  const unused = Object.keys(en).filter(
    (k) => !used.has(k) && !prefixes.some((p) => k.startsWith(p)) && !code.includes(`'${k}'`),
  );
  expect(unused).toEqual([]);
});
