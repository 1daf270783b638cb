import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import './reflect-metadata.js';
import * as x509 from '@peculiar/x509';
import { ensurePKI, issueServingCertificate } from './pki.js';
import { subjectAltNames } from './certificates.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-pki-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const ext = <T extends x509.Extension>(pem: string, type: new (raw: ArrayBuffer) => T) =>
  new x509.X509Certificate(pem).getExtension(type);

test('first call creates a CA, a serving and an admin certificate with private keys', async (t) => {
  const dir = await tempDir(t);
  const pki = await ensurePKI(dir, { extraSANs: ['api.example.test', '10.0.0.7'] });

  const ca = new X509Certificate(pki.caCertPem);
  assert.equal(ca.subject, 'CN=flotilla-ca');
  assert.equal(ca.ca, true);
  const years = (Date.parse(ca.validTo) - Date.now()) / (365 * 24 * 3600e3);
  assert.ok(years > 9.9 && years < 10.1, `CA valid for ${years} years`);
  const caUsage = ext(pki.caCertPem, x509.KeyUsagesExtension)!.usages;
  assert.ok(caUsage & x509.KeyUsageFlags.keyCertSign && caUsage & x509.KeyUsageFlags.cRLSign);

  const serving = new X509Certificate(pki.servingCertPem);
  assert.ok(serving.verify(ca.publicKey));
  assert.equal(serving.ca, false);
  for (const host of ['localhost', 'api.example.test']) assert.equal(serving.checkHost(host), host);
  for (const ip of ['127.0.0.1', '::1', '10.0.0.7']) assert.ok(serving.checkIP(ip), ip);
  assert.equal(serving.checkHost('10.0.0.7'), undefined, 'IPs must be IP SANs, not DNS SANs');
  assert.deepEqual([...ext(pki.servingCertPem, x509.ExtendedKeyUsageExtension)!.usages], [x509.ExtendedKeyUsage.serverAuth]);

  const admin = new X509Certificate(pki.adminCertPem);
  assert.ok(admin.verify(ca.publicKey));
  assert.deepEqual(admin.subject.split('\n').sort(), ['CN=admin', 'O=system:masters']);
  assert.deepEqual([...ext(pki.adminCertPem, x509.ExtendedKeyUsageExtension)!.usages], [x509.ExtendedKeyUsage.clientAuth]);

  for (const [cert, key] of [
    [pki.caCertPem, pki.caKeyPem],
    [pki.servingCertPem, pki.servingKeyPem],
    [pki.adminCertPem, pki.adminKeyPem],
  ] as const) {
    assert.ok(new X509Certificate(cert).checkPrivateKey(createPrivateKey(key)));
  }

  for (const [name, certPem, keyPem] of [
    ['ca', pki.caCertPem, pki.caKeyPem],
    ['apiserver', pki.servingCertPem, pki.servingKeyPem],
    ['admin', pki.adminCertPem, pki.adminKeyPem],
  ]) {
    assert.equal((await stat(join(dir, 'pki', `${name}.key`))).mode & 0o777, 0o600, `${name}.key`);
    assert.equal(await readFile(join(dir, 'pki', `${name}.key`), 'utf8'), keyPem);
    assert.equal(await readFile(join(dir, 'pki', `${name}.crt`), 'utf8'), certPem);
  }
});

test('later calls reuse the files', async (t) => {
  const dir = await tempDir(t);
  const first = await ensurePKI(dir, { extraSANs: ['api.example.test'] });
  assert.deepEqual(await ensurePKI(dir, { extraSANs: ['api.example.test'] }), first);
  // SANs already present (in any spelling) do not force a re-issue either.
  assert.deepEqual(await ensurePKI(dir, { extraSANs: ['API.example.test', '0:0:0:0:0:0:0:1'] }), first);
});

test('a SAN missing from the serving certificate re-issues it with the same CA', async (t) => {
  const dir = await tempDir(t);
  const first = await ensurePKI(dir, {});
  const second = await ensurePKI(dir, { extraSANs: ['flotilla.example.test', '192.168.5.5'] });

  assert.equal(second.caCertPem, first.caCertPem);
  assert.equal(second.caKeyPem, first.caKeyPem);
  assert.equal(second.adminCertPem, first.adminCertPem);
  assert.notEqual(second.servingCertPem, first.servingCertPem);
  assert.notEqual(second.servingKeyPem, first.servingKeyPem);
  const serving = new X509Certificate(second.servingCertPem);
  assert.ok(serving.verify(new X509Certificate(first.caCertPem).publicKey));
  assert.equal(serving.checkHost('flotilla.example.test'), 'flotilla.example.test');
  assert.ok(serving.checkIP('192.168.5.5'));
  assert.equal(await readFile(join(dir, 'pki', 'apiserver.crt'), 'utf8'), second.servingCertPem);
});

test('a serving certificate close to expiry is renewed', async (t) => {
  const dir = await tempDir(t);
  const first = await ensurePKI(dir, {});
  const ca = { certPem: first.caCertPem, keyPem: first.caKeyPem };
  const expiring = await issueServingCertificate(ca, subjectAltNames(first.servingCertPem), { days: 3 });
  await writeFile(join(dir, 'pki', 'apiserver.crt'), expiring.certPem);
  await writeFile(join(dir, 'pki', 'apiserver.key'), expiring.keyPem);

  const second = await ensurePKI(dir, {});
  assert.notEqual(second.servingCertPem, expiring.certPem);
  assert.ok(Date.parse(new X509Certificate(second.servingCertPem).validTo) - Date.now() > 300 * 24 * 3600e3);
});

test('a leaf whose key does not match is re-issued, a broken CA is refused', async (t) => {
  const dir = await tempDir(t);
  const first = await ensurePKI(dir, {});
  await writeFile(join(dir, 'pki', 'admin.key'), first.servingKeyPem);
  const second = await ensurePKI(dir, {});
  assert.notEqual(second.adminCertPem, first.adminCertPem);
  assert.ok(new X509Certificate(second.adminCertPem).checkPrivateKey(createPrivateKey(second.adminKeyPem)));

  await writeFile(join(dir, 'pki', 'ca.key'), first.servingKeyPem);
  await assert.rejects(ensurePKI(dir, {}), /ca.key does not match ca.crt/);
  await rm(join(dir, 'pki', 'ca.key'));
  await assert.rejects(ensurePKI(dir, {}), /incomplete CA/);
});

test('a CA brought from elsewhere with an RSA PKCS#1 key signs the leaves', async (t) => {
  const dir = await tempDir(t);
  const keys = await webcrypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  );
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=operator-ca',
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const pkcs1Pem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'pem' });
  await mkdir(join(dir, 'pki'));
  await writeFile(join(dir, 'pki', 'ca.crt'), caCert.toString('pem'));
  await writeFile(join(dir, 'pki', 'ca.key'), pkcs1Pem);

  const pki = await ensurePKI(dir, {});
  const ca = new X509Certificate(pki.caCertPem);
  assert.equal(ca.subject, 'CN=operator-ca');
  assert.ok(new X509Certificate(pki.servingCertPem).verify(ca.publicKey));
  assert.ok(new X509Certificate(pki.adminCertPem).verify(ca.publicKey));
});
