// Key management: KEK files with strict permissions, data keys wrapped and
// re-wrapped on rotation (data untouched), crypto-shredding, sealing to the cloud.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readBlob, writeBlob } from '#common/archive/blob';
import { DataKeyStore } from '../../../edge-node/src/archive/crypto/DataKeys.ts';
import { FileKekStore } from '../../../edge-node/src/archive/crypto/KekStore.ts';
import { sealDataKey, unsealDataKey } from '#common/archive/seal';

const root = mkdtempSync(path.join(os.tmpdir(), 'keys-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const dir = () => path.join(root, `d${n++}`);

describe('key encryption keys', () => {
  test('the first start creates a 0600 KEK in a 0700 directory', async () => {
    const d = dir();
    const kek = await FileKekStore.open(d);
    expect(statSync(d).mode & 0o777).toBe(0o700);
    const files = readdirSync(d).filter((f) => f.endsWith('.kek'));
    expect(files).toEqual([`${kek.currentKekId()}.kek`]);
    expect(statSync(path.join(d, files[0]!)).mode & 0o777).toBe(0o600);
  });

  test('a KEK readable by others is refused', async () => {
    const d = dir();
    const kek = await FileKekStore.open(d);
    chmodSync(path.join(d, `${kek.currentKekId()}.kek`), 0o644);
    await expect(FileKekStore.open(d)).rejects.toThrow(/accessible by group\/others/);
  });

  test('a wrapped data key only unwraps for its own call', async () => {
    const kek = await FileKekStore.open(dir());
    const dk = randomBytes(32);
    const wrapped = await kek.wrap(dk, 'call-a');
    expect((await kek.unwrap(wrapped, 'call-a')).equals(dk)).toBe(true);
    await expect(kek.unwrap(wrapped, 'call-b')).rejects.toThrow(/does not unwrap/);
  });
});

describe('data keys', () => {
  test('rotating the KEK re-wraps every data key, retires the old KEK, and old calls stay readable', async () => {
    const kekDir = dir();
    const keyDir = dir();
    const keys = await DataKeyStore.open(keyDir, await FileKekStore.open(kekDir));
    const blob = path.join(root, 'old-call.bea');
    await writeBlob(blob, await keys.getOrCreate('old-call'), Buffer.from('recorded before the rotation'));
    const before = keys.kekStore.currentKekId();
    const rotated = await keys.rotateKek();
    expect(rotated.kekId).not.toBe(before);
    expect(rotated.rewrapped).toBe(1);
    expect(rotated.retired).toEqual([before]);
    expect(existsSync(path.join(kekDir, `${before}.kek`))).toBe(false);
    // a fresh process (no cache) reads the old call with the new KEK only
    const reopened = await DataKeyStore.open(keyDir, await FileKekStore.open(kekDir));
    expect((await readBlob(blob, await reopened.get('old-call'))).toString()).toBe(
      'recorded before the rotation',
    );
  });

  test('shredding destroys the key for good', async () => {
    const kekDir = dir();
    const keyDir = dir();
    const keys = await DataKeyStore.open(keyDir, await FileKekStore.open(kekDir));
    const blob = path.join(root, 'shredded.bea');
    await writeBlob(blob, await keys.getOrCreate('gone'), Buffer.from('personal data'));
    expect(await keys.shred('gone')).toBe(true);
    expect(readdirSync(keyDir)).toEqual([]);
    const fresh = await DataKeyStore.open(keyDir, await FileKekStore.open(kekDir));
    await expect(fresh.get('gone')).rejects.toMatchObject({ code: 'not_found' });
    expect(await keys.shred('gone')).toBe(false);
  });

  test('a data key sealed to the cloud opens with its private key only, for its own call', () => {
    const cloud = generateKeyPairSync('x25519');
    const pem = cloud.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const dk = randomBytes(32);
    const sealed = sealDataKey(dk, pem, 'call-1');
    expect(unsealDataKey(sealed, cloud.privateKey, 'call-1').equals(dk)).toBe(true);
    expect(() => unsealDataKey(sealed, cloud.privateKey, 'call-2')).toThrow();
    expect(() => unsealDataKey(sealed, generateKeyPairSync('x25519').privateKey, 'call-1')).toThrow();
  });
});

describe('KEKs from the environment', () => {
  test('a deployment with the old key as previous re-wraps every data key, and the next one can drop it', async () => {
    const { EnvKekStore } = await import('../../../edge-node/src/archive/crypto/KekStore.ts');
    const a = randomBytes(32).toString('base64');
    const b = randomBytes(32).toString('base64');
    const keyDir = dir();
    const before = await DataKeyStore.open(keyDir, new EnvKekStore({ id: 'kek-a', base64: a }));
    const dk = await before.getOrCreate('call-env');
    const during = await DataKeyStore.open(
      keyDir,
      new EnvKekStore({ id: 'kek-b', base64: b }, { id: 'kek-a', base64: a }),
    );
    expect((await during.rewrapAll()).rewrapped).toBe(1);
    const after = await DataKeyStore.open(keyDir, new EnvKekStore({ id: 'kek-b', base64: b }));
    expect((await after.get('call-env')).equals(dk)).toBe(true);
    await expect(new EnvKekStore({ base64: b }).rotate()).rejects.toMatchObject({ code: 'conflict' });
    expect(() => new EnvKekStore({ base64: 'c2hvcnQ=' })).toThrow(/32 bytes/);
  });
});
