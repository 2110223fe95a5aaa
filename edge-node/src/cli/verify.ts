// `npm run --silent verify -- --call <call dir> [--public-key <base64|file>] [--head <cloud head.json>] [--json]`
//
// Checks a stored call without decrypting it: the manifest's hash chain, its
// Ed25519-signed head (against the edge's public key when given), the cloud's
// copy of the head when given, and every segment's and artifact's SHA-256.
// Names the first segment that was altered, removed or reordered.
// Exit codes: 0 intact; 1 tampered or incomplete; 2 bad command line.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ManifestHead } from '#protocol/archive';
import { verifyCall } from '../archive/manifest/verify.ts';

const USAGE =
  'usage: verify --call <call dir> [--public-key <base64 SPKI | file>] [--head <cloud head JSON file>] [--json]';

async function main(): Promise<number> {
  let values: { call?: string; 'public-key'?: string; head?: string; json?: boolean };
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: {
        call: { type: 'string' },
        'public-key': { type: 'string' },
        head: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    }).values;
    if (!values.call) throw new Error('--call is required');
    if (!existsSync(values.call)) throw new Error(`no such directory: ${values.call}`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const key = values['public-key'];
  const trustedPublicKey = key && existsSync(key) ? readFileSync(key, 'utf8').trim() : key;
  const cloudHead = values.head
    ? ManifestHead.parse(JSON.parse(readFileSync(values.head, 'utf8')))
    : undefined;
  const result = await verifyCall(values.call, {
    ...(trustedPublicKey ? { trustedPublicKey } : {}),
    ...(cloudHead ? { cloudHead } : {}),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const lines = [
      `call ${result.callId ?? '?'}: ${result.entries} manifest entries, ${result.segments} segments, ${result.filesChecked} files hashed${result.shredded ? ' (crypto-shredded: data destroyed, manifest kept)' : ''}`,
      trustedPublicKey
        ? 'signature checked against the given public key'
        : 'WARNING: no --public-key given; the signature was checked against the key inside the manifest only',
    ];
    if (result.ok) lines.push('OK: intact');
    else {
      lines.push(`TAMPERED: ${result.first!.message}`);
      for (const p of result.problems.slice(1, 20)) lines.push(`  also: ${p.message}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return result.ok ? 0 : 1;
}

process.exitCode = await main();
