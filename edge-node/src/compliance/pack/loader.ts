// Loads a rule pack by id (`wealth-sale`, `wealth-sale@1.0.0`) from the versioned
// `rules/<id>/<version>.yaml` layout, or by file path. Every problem names the
// file, the line and the field, e.g. `rules/x.yaml:12 checks.3.severity: …`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { AppError } from '#protocol/errors';
import type { CallRole } from '#protocol/roles';
import { repoRoot } from '#common/paths';
import { Normalizer } from '../text/normalize.ts';
import { compilePhrase } from '../text/phrase-matcher.ts';
import { RulePackFile, type CheckDef, type RulePack } from './schema.ts';

export const DEFAULT_RULES_DIR = process.env.BRANCHEDGE_RULES_DIR ?? path.join(repoRoot, 'rules');
const DEFAULT_BANK_ROLES: CallRole[] = ['manager', 'expert'];
const DEFAULT_MIN_SCORE = 0.75;

interface ParsedFile {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  data: RulePackFile;
}

function packError(message: string, details?: unknown): AppError {
  return new AppError('bad_request', message, details);
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** Line (1-based) of the node at `keys`, or of its nearest existing parent. */
function lineOf(parsed: Pick<ParsedFile, 'doc' | 'lines'>, keys: PropertyKey[]): number | undefined {
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? parsed.doc.contents : parsed.doc.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) return parsed.lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function parseFile(file: string): ParsedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw packError(`cannot read rule pack ${displayPath(file)}: ${(err as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lines.linePos(syntax.pos[0]).line;
    throw packError(`invalid rule pack ${displayPath(file)}:${line}: ${syntax.message.split('\n')[0]}`);
  }
  const result = RulePackFile.safeParse(doc.toJS());
  if (!result.success) {
    const fields = result.error.issues.map((i) => ({
      path: i.path.join('.'),
      line: lineOf({ doc, lines }, i.path),
      message: i.message,
    }));
    const first = fields[0]!;
    const more = fields.length > 1 ? ` (and ${fields.length - 1} more)` : '';
    throw packError(
      `invalid rule pack ${displayPath(file)}:${first.line ?? 1} ${first.path || '(root)'}: ${first.message}${more}`,
      { fields },
    );
  }
  return { file, doc, lines, data: result.data };
}

/** Newest `<version>.yaml|json` in a pack folder. */
function newestVersion(dir: string): string | undefined {
  const versions = readdirSync(dir)
    .map((f) => /^(\d+)\.(\d+)\.(\d+)\.(ya?ml|json)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort(
      (a, b) => Number(a[1]) - Number(b[1]) || Number(a[2]) - Number(b[2]) || Number(a[3]) - Number(b[3]),
    );
  return versions.at(-1)?.[0];
}

export function knownPackIds(rulesDir = DEFAULT_RULES_DIR): string[] {
  if (!existsSync(rulesDir)) return [];
  return readdirSync(rulesDir)
    .filter(
      (d) =>
        statSync(path.join(rulesDir, d)).isDirectory() && newestVersion(path.join(rulesDir, d)) !== undefined,
    )
    .sort();
}

/** File of a pack given as a path, `id` (newest version) or `id@version`. */
export function resolvePackFile(idOrPath: string, rulesDir = DEFAULT_RULES_DIR): string {
  if (/[/\\]|\.(ya?ml|json)$/.test(idOrPath)) {
    const file = path.resolve(idOrPath);
    if (!existsSync(file)) throw new AppError('not_found', `rule pack file not found: ${idOrPath}`);
    return file;
  }
  const m = /^([a-z][a-z0-9-]*)(?:@(\d+\.\d+\.\d+))?$/.exec(idOrPath);
  const known = knownPackIds(rulesDir);
  const dir = m ? path.join(rulesDir, m[1]!) : '';
  if (!m || !existsSync(dir)) {
    throw new AppError('not_found', `unknown rule pack '${idOrPath}' (known: ${known.join(', ') || 'none'})`);
  }
  const version = m[2];
  if (version) {
    const file = ['yaml', 'yml', 'json']
      .map((ext) => path.join(dir, `${version}.${ext}`))
      .find((f) => existsSync(f));
    if (!file) throw new AppError('not_found', `unknown rule pack version '${idOrPath}'`);
    return file;
  }
  const newest = newestVersion(dir);
  if (!newest)
    throw new AppError('not_found', `unknown rule pack '${idOrPath}' (no versions in ${displayPath(dir)})`);
  return path.join(dir, newest);
}

interface CheckOrigin {
  parsed: ParsedFile;
  index: number;
}

function phraseFields(check: CheckDef): [string[], string[]][] {
  switch (check.kind) {
    case 'statement':
      return check.require.map((g, i) => [['require', String(i), 'phrases'], g.phrases]);
    case 'prohibited':
      return [[['phrases'], check.phrases]];
    case 'exchange':
      return [
        [['ask', 'phrases'], check.ask.phrases],
        [['answer', 'phrases'], check.answer.phrases],
      ];
    case 'confirmation':
      return [
        [['affirm'], check.affirm],
        [['reject'], check.reject],
        ...(check.prompt
          ? ([
              [['prompt', 'phrases'], check.prompt.phrases],
              [['prompt', 'shortAnswers'], check.prompt.shortAnswers],
            ] as [string[], string[]][])
          : []),
      ];
    case 'risk-match':
      return [
        [['customerCues'], check.customerCues],
        [['productCues'], check.productCues],
        ...check.levels.map((l, i) => [['levels', String(i), 'names'], l.names] as [string[], string[]]),
      ];
    case 'order':
      return [[['decision', 'phrases'], check.decision.phrases]];
    case 'document-visible':
      return [[['titles'], check.titles]];
    case 'faces-present':
      return [];
  }
}

function loadResolved(file: string, seen: string[]): { pack: RulePack; origins: Map<string, CheckOrigin> } {
  if (seen.includes(file))
    throw packError(`rule pack ${displayPath(file)} extends itself (${seen.map(displayPath).join(' → ')})`);
  const parsed = parseFile(file);
  const data = parsed.data;
  let checks: CheckDef[] = [];
  let origins = new Map<string, CheckOrigin>();
  let base: RulePack | undefined;
  if (data.extends) {
    let baseFile: string;
    try {
      baseFile = resolvePackFile(data.extends, path.dirname(path.dirname(file)));
    } catch (err) {
      throw packError(
        `invalid rule pack ${displayPath(file)}:${lineOf(parsed, ['extends'])} extends: ${(err as Error).message}`,
      );
    }
    const loaded = loadResolved(baseFile, [...seen, file]);
    base = loaded.pack;
    checks = [...base.checks];
    origins = loaded.origins;
  }
  (data.remove ?? []).forEach((id, i) => {
    if (!checks.some((c) => c.id === id))
      throw packError(
        `invalid rule pack ${displayPath(file)}:${lineOf(parsed, ['remove', i])} remove.${i}: no check '${id}' in ${data.extends ?? 'this pack'}`,
      );
    checks = checks.filter((c) => c.id !== id);
  });
  const ownIds = new Set<string>();
  data.checks.forEach((check, index) => {
    if (ownIds.has(check.id))
      throw packError(
        `invalid rule pack ${displayPath(file)}:${lineOf(parsed, ['checks', index, 'id'])} checks.${index}.id: duplicate check id '${check.id}'`,
      );
    ownIds.add(check.id);
    const at = checks.findIndex((c) => c.id === check.id);
    if (at >= 0)
      checks[at] = check; // same id as the base: replaces it in place
    else checks.push(check);
    origins.set(check.id, { parsed, index });
  });
  const pack: RulePack = {
    id: data.id,
    version: data.version,
    title: data.title,
    ...(data.description ? { description: data.description } : {}),
    bankRoles: data.bankRoles ?? base?.bankRoles ?? DEFAULT_BANK_ROLES,
    synonyms: { ...base?.synonyms, ...data.synonyms },
    minScore: data.minScore ?? base?.minScore ?? DEFAULT_MIN_SCORE,
    checks,
    source: file,
  };
  return { pack, origins };
}

function checkReferences(pack: RulePack, origins: Map<string, CheckOrigin>): void {
  const ids = new Set(pack.checks.map((c) => c.id));
  const normalizer = new Normalizer(pack.synonyms);
  const fail = (check: CheckDef, keys: string[], message: string): never => {
    const origin = origins.get(check.id)!;
    const full = ['checks', origin.index, ...keys];
    throw packError(
      `invalid rule pack ${displayPath(origin.parsed.file)}:${lineOf(origin.parsed, full)} ${full.join('.')}: ${message}`,
    );
  };
  for (const check of pack.checks) {
    const refs =
      check.kind === 'order' ? check.disclosures : check.kind === 'confirmation' ? check.after : [];
    const field = check.kind === 'order' ? 'disclosures' : 'after';
    refs.forEach((ref, i) => {
      if (!ids.has(ref)) fail(check, [field, String(i)], `unknown check id '${ref}'`);
      if (ref === check.id) fail(check, [field, String(i)], 'a check cannot refer to itself');
    });
    for (const [keys, phrases] of phraseFields(check)) {
      phrases.forEach((p, i) => {
        const compiled = compilePhrase(normalizer, p);
        if (compiled.words.length === 0 && !compiled.bareNegation)
          fail(check, [...keys, String(i)], `phrase '${p}' has no content words to match`);
      });
    }
  }
}

/** Loads, resolves `extends` and checks a pack. Throws AppError `not_found` / `bad_request` with a one-line message. */
export function loadRulePack(idOrPath: string, options: { rulesDir?: string } = {}): RulePack {
  const file = resolvePackFile(idOrPath, options.rulesDir ?? DEFAULT_RULES_DIR);
  const { pack, origins } = loadResolved(file, []);
  checkReferences(pack, origins);
  return pack;
}
