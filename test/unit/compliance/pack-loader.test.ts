// Rule packs: the built-in packs load; bad packs fail with the file, line and field named.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { AppError } from '#protocol/errors';
import { knownPackIds, loadRulePack } from '../../../edge-node/src/compliance/pack/loader.ts';

const SPEC_WEALTH = [
  'staff-introduction',
  'customer-identity',
  'risk-assessment-match',
  'product-key-facts',
  'not-a-deposit',
  'principal-risk',
  'no-misleading-claims',
  'customer-confirms-understanding',
  'customer-voluntary',
  'disclosure-before-decision',
  'document-shown',
  'faces-present',
];
const SEVERITY: Record<string, string> = {
  'staff-introduction': 'minor',
  'customer-identity': 'major',
  'risk-assessment-match': 'critical',
  'product-key-facts': 'major',
  'not-a-deposit': 'critical',
  'principal-risk': 'critical',
  'no-misleading-claims': 'critical',
  'customer-confirms-understanding': 'critical',
  'customer-voluntary': 'major',
  'disclosure-before-decision': 'major',
  'document-shown': 'minor',
  'faces-present': 'major',
  'not-a-deposit-insurance': 'critical',
  'cooling-off-period': 'critical',
  'surrender-loss': 'major',
};

function tempPack(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pack-test-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an error');
}

describe('built-in packs', () => {
  test('wealth-sale has exactly the spec check ids with the spec severities', () => {
    const pack = loadRulePack('wealth-sale');
    expect(pack.version).toBe('1.0.0');
    expect(pack.checks.map((c) => c.id).sort()).toEqual([...SPEC_WEALTH].sort());
    for (const c of pack.checks) expect(c.severity, c.id).toBe(SEVERITY[c.id]);
    expect(pack.bankRoles).toEqual(['manager', 'expert']);
  });

  test('insurance-sale is wealth-sale with not-a-deposit replaced and two checks added', () => {
    const pack = loadRulePack('insurance-sale@1.0.0');
    const ids = pack.checks.map((c) => c.id).sort();
    expect(ids).toEqual(
      [
        ...SPEC_WEALTH.filter((id) => id !== 'not-a-deposit'),
        'not-a-deposit-insurance',
        'cooling-off-period',
        'surrender-loss',
      ].sort(),
    );
    for (const c of pack.checks) expect(c.severity, c.id).toBe(SEVERITY[c.id]);
    const order = pack.checks.find((c) => c.id === 'disclosure-before-decision');
    expect(order?.kind === 'order' && order.disclosures).toEqual([
      'not-a-deposit-insurance',
      'principal-risk',
    ]);
  });

  test('packs are listed by id and loadable by path', () => {
    expect(knownPackIds()).toEqual(expect.arrayContaining(['wealth-sale', 'insurance-sale']));
    expect(loadRulePack('rules/wealth-sale/1.0.0.yaml').id).toBe('wealth-sale');
  });
});

describe('bad packs', () => {
  test('an unknown pack id is not_found and names the known packs', () => {
    const err = errorOf(() => loadRulePack('mortgage-sale'));
    expect(err.code).toBe('not_found');
    expect(err.message).toMatch(/unknown rule pack 'mortgage-sale' \(known: .*wealth-sale/);
  });

  test('a wrong field value names the line and the field path', () => {
    const file = tempPack(
      'bad.yaml',
      'id: bad\nversion: 1.0.0\ntitle: Bad\nchecks:\n  - id: x\n    title: X\n    severity: catastrophic\n    kind: prohibited\n    phrases: [guaranteed returns]\n',
    );
    const err = errorOf(() => loadRulePack(file));
    expect(err.message).toMatch(/bad\.yaml:7 checks\.0\.severity: /);
    expect(err.message.split('\n')).toHaveLength(1);
  });

  test('a YAML syntax error names the line', () => {
    const file = tempPack(
      'syntax.yaml',
      'id: bad\nversion: 1.0.0\ntitle: Bad\nchecks:\n  - id: x\n    phrases: [a, b\n',
    );
    expect(errorOf(() => loadRulePack(file)).message).toMatch(/syntax\.yaml:\d+: /);
  });

  test('an unknown field is rejected (typos do not silently disable a rule)', () => {
    const file = tempPack(
      'typo.yaml',
      'id: bad\nversion: 1.0.0\ntitle: Bad\nchecks:\n  - id: x\n    title: X\n    severity: major\n    kind: prohibited\n    phrase: [guaranteed returns]\n',
    );
    expect(errorOf(() => loadRulePack(file)).message).toMatch(/typo\.yaml:5 checks\.0/);
  });

  test('a reference to a check that does not exist names the field', () => {
    const file = tempPack(
      'ref.json',
      JSON.stringify(
        {
          id: 'bad',
          version: '1.0.0',
          title: 'Bad',
          checks: [
            {
              id: 'x',
              title: 'X',
              severity: 'major',
              kind: 'order',
              disclosures: ['nope'],
              decision: { speakers: ['customer'], phrases: ['i will buy it'] },
            },
          ],
        },
        null,
        2,
      ),
    );
    expect(errorOf(() => loadRulePack(file)).message).toMatch(
      /ref\.json:\d+ checks\.0\.disclosures\.0: unknown check id 'nope'/,
    );
  });

  test('a phrase made only of stop words cannot match anything and is rejected', () => {
    const file = tempPack(
      'stop.yaml',
      'id: bad\nversion: 1.0.0\ntitle: Bad\nchecks:\n  - id: x\n    title: X\n    severity: major\n    kind: prohibited\n    phrases: [guaranteed returns, it is the]\n',
    );
    expect(errorOf(() => loadRulePack(file)).message).toMatch(
      /stop\.yaml:9 checks\.0\.phrases\.1: phrase 'it is the' has no content words/,
    );
  });

  test('extends resolves the base from the same rules folder and remove must name a base check', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rules-'));
    mkdirSync(path.join(dir, 'base'));
    mkdirSync(path.join(dir, 'child'));
    writeFileSync(
      path.join(dir, 'base', '1.0.0.yaml'),
      'id: base\nversion: 1.0.0\ntitle: Base\nchecks:\n  - { id: a, title: A, severity: major, kind: prohibited, phrases: [guaranteed returns] }\n',
    );
    writeFileSync(
      path.join(dir, 'child', '2.0.0.yaml'),
      'id: child\nversion: 2.0.0\ntitle: Child\nextends: base@1.0.0\nremove: [zzz]\n',
    );
    expect(errorOf(() => loadRulePack('child', { rulesDir: dir })).message).toMatch(
      /2\.0\.0\.yaml:5 remove\.0: no check 'zzz'/,
    );
  });
});
