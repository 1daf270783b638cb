// Issuing X.509 certificates for the control plane: a self-signed CA and the serving/client leaves it signs.
import { createPrivateKey, createPublicKey, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { isIP } from 'node:net';
// Must be evaluated before @peculiar/x509 (ES modules run their imports in order).
import './reflect-metadata.js';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

/** A CA (or any certificate) with its private key, both PEM. */
export interface CertificateAndKey {
  certPem: string;
  keyPem: string;
}

/** New keys are ECDSA P-256: fast to generate, and accepted by Go's crypto/tls (kubectl, kubelet, client-go). */
const NEW_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const DAY_MS = 24 * 60 * 60 * 1000;
// Like kubeadm, certificates start a little in the past so a peer whose clock lags slightly still accepts them.
const BACKDATE_MS = 5 * 60 * 1000;

// WebCrypto only imports PKCS#8, and needs the algorithm spelled out; the CA key may come from elsewhere (RSA,
// PKCS#1, SEC1), so Node's key parser normalises it first.
const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

async function importSigningKey(keyPem: string): Promise<webcrypto.CryptoKey> {
  const key = createPrivateKey(keyPem);
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const curve: string | undefined = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  let algorithm: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  if (key.asymmetricKeyType === 'ec' && curve) {
    algorithm = { name: 'ECDSA', namedCurve: curve };
  } else if (key.asymmetricKeyType === 'rsa') {
    algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  } else {
    throw new Error(`unsupported CA key type ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`);
  }
  return webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']);
}

async function exportKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(NEW_KEY, true, ['sign', 'verify']);
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + days * DAY_MS) };
}

/** Creates a self-signed CA certificate and key. */
export async function createCertificateAuthority(commonName: string, days: number): Promise<CertificateAndKey> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [commonName] }],
    keys,
    ...validity(days),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

async function issue(
  ca: CertificateAndKey,
  subject: x509.JsonName,
  extensions: x509.Extension[],
  days: number,
): Promise<CertificateAndKey> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    // The issuer must be byte-identical to the CA's subject for Go and OpenSSL to chain the two.
    issuer: caCert.subjectName,
    subject,
    publicKey: keys.publicKey,
    signingKey: await importSigningKey(ca.keyPem),
    ...validity(days),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
      ...extensions,
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

/**
 * A client certificate as the apiserver's x509 authenticator reads it: CN is the user name, each O a group.
 */
export async function issueClientCertificate(
  ca: CertificateAndKey,
  subject: { commonName: string; organizations?: string[] },
  days = 365,
): Promise<CertificateAndKey> {
  const name: x509.JsonName = [
    ...(subject.organizations ?? []).map((o) => ({ O: [o] })),
    { CN: [subject.commonName] },
  ];
  return issue(ca, name, [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])], days);
}

/** A TLS server certificate; each SAN that parses as an IP address becomes an IP SAN, anything else a DNS SAN. */
export async function issueServingCertificate(
  ca: CertificateAndKey,
  sans: string[],
  opts: { commonName?: string; days?: number } = {},
): Promise<CertificateAndKey> {
  const names = [...new Set(sans.map(canonicalSAN))].map(
    (san): x509.JsonGeneralName => ({ type: isIP(san) ? 'ip' : 'dns', value: san }),
  );
  return issue(
    ca,
    [{ CN: [opts.commonName ?? 'flotilla-apiserver'] }],
    [
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
    opts.days ?? 365,
  );
}

/** SANs compare case-insensitively for names and by value for addresses ("::0:1" is "::1"). */
export function canonicalSAN(san: string): string {
  const family = isIP(san);
  if (family === 4) return new URL(`http://${san}/`).hostname;
  if (family === 6) return new URL(`http://[${san}]/`).hostname.slice(1, -1);
  return san.toLowerCase();
}

/** The DNS and IP SANs of a certificate, canonicalised. */
export function subjectAltNames(certPem: string): string[] {
  const san = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension);
  return (san?.names.items ?? [])
    .filter((n) => n.type === 'dns' || n.type === 'ip')
    .map((n) => canonicalSAN(n.value));
}

/** Whether `pair` is a matching certificate and key, signed by `caCertPem`, valid for at least `minValidMs` more. */
export function isUsableLeaf(pair: CertificateAndKey, caCertPem: string, minValidMs: number): boolean {
  const cert = new NodeX509(pair.certPem);
  const ca = new NodeX509(caCertPem);
  const keySpki = createPublicKey(pair.keyPem).export({ type: 'spki', format: 'der' });
  return (
    cert.checkIssued(ca) &&
    cert.verify(ca.publicKey) &&
    keySpki.equals(cert.publicKey.export({ type: 'spki', format: 'der' })) &&
    Date.parse(cert.validTo) - Date.now() >= minValidMs
  );
}
