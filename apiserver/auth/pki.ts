// The control plane's on-disk PKI: one CA, the apiserver's serving certificate and the admin client certificate.
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createPublicKey, X509Certificate } from 'node:crypto';
import {
  canonicalSAN,
  createCertificateAuthority,
  isUsableLeaf,
  issueClientCertificate,
  issueServingCertificate,
  subjectAltNames,
  type CertificateAndKey,
} from './certificates.js';
import { writeFileAtomic } from './atomic-write.js';

export { issueClientCertificate, issueServingCertificate, type CertificateAndKey } from './certificates.js';

export interface PKI {
  caCertPem: string;
  caKeyPem: string;
  servingCertPem: string;
  servingKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
}

export interface PKIOptions {
  /** Additional names/addresses clients use to reach the apiserver (IPs become IP SANs, the rest DNS SANs). */
  extraSANs?: string[];
  /** Subject CN of the serving certificate; only applied when it is (re-)issued. */
  commonName?: string;
}

const CA_DAYS = 3650;
const LEAF_DAYS = 365;
// Leaves are renewed this long before they expire, so a restart never serves a certificate about to lapse.
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Loads the PKI under `dir/pki/`, creating whatever is missing. The CA is never replaced once it exists (that
 * would invalidate every credential handed out); leaves are re-issued when missing, not signed by the CA, not
 * matching their key, close to expiry, or (serving) lacking one of the requested SANs.
 */
export async function ensurePKI(dir: string, opts: PKIOptions = {}): Promise<PKI> {
  const pkiDir = join(dir, 'pki');
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });

  const ca = (await loadCA(pkiDir)) ?? (await writePair(pkiDir, 'ca', await createCertificateAuthority('flotilla-ca', CA_DAYS)));

  const sans = ['localhost', '127.0.0.1', '::1', hostname(), ...(opts.extraSANs ?? [])];
  const serving = await ensureLeaf(
    pkiDir,
    'apiserver',
    ca,
    (pair) => {
      const have = new Set(subjectAltNames(pair.certPem));
      return sans.every((san) => have.has(canonicalSAN(san)));
    },
    () => issueServingCertificate(ca, sans, { commonName: opts.commonName, days: LEAF_DAYS }),
  );
  const admin = await ensureLeaf(
    pkiDir,
    'admin',
    ca,
    () => true,
    () => issueClientCertificate(ca, { commonName: 'admin', organizations: ['system:masters'] }, LEAF_DAYS),
  );

  return {
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    servingCertPem: serving.certPem,
    servingKeyPem: serving.keyPem,
    adminCertPem: admin.certPem,
    adminKeyPem: admin.keyPem,
  };
}

async function loadCA(pkiDir: string): Promise<CertificateAndKey | null> {
  const [certPem, keyPem] = await Promise.all([readOptional(join(pkiDir, 'ca.crt')), readOptional(join(pkiDir, 'ca.key'))]);
  if (certPem === null && keyPem === null) return null;
  // A half-present or mismatched CA is an operator problem: silently minting a new one would orphan every
  // certificate it signed, so refuse to start instead.
  if (certPem === null || keyPem === null) {
    throw new Error(`incomplete CA in ${pkiDir}: both ca.crt and ca.key are required`);
  }
  const certSpki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  if (!createPublicKey(keyPem).export({ type: 'spki', format: 'der' }).equals(certSpki)) {
    throw new Error(`CA in ${pkiDir}: ca.key does not match ca.crt`);
  }
  return { certPem, keyPem };
}

async function ensureLeaf(
  pkiDir: string,
  name: string,
  ca: CertificateAndKey,
  satisfies: (pair: CertificateAndKey) => boolean,
  issue: () => Promise<CertificateAndKey>,
): Promise<CertificateAndKey> {
  const [certPem, keyPem] = await Promise.all([
    readOptional(join(pkiDir, `${name}.crt`)),
    readOptional(join(pkiDir, `${name}.key`)),
  ]);
  if (certPem !== null && keyPem !== null) {
    const pair = { certPem, keyPem };
    if (reusable(pair, ca, satisfies)) return pair;
  }
  return writePair(pkiDir, name, await issue());
}

function reusable(pair: CertificateAndKey, ca: CertificateAndKey, satisfies: (pair: CertificateAndKey) => boolean): boolean {
  try {
    return isUsableLeaf(pair, ca.certPem, RENEW_BEFORE_MS) && satisfies(pair);
  } catch {
    // Unparseable files are replaced like any other unusable leaf.
    return false;
  }
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

// The key goes first: a crash in between leaves a certificate that no longer matches its key, which the next
// start detects and re-issues, rather than a valid-looking pair that is not a pair.
async function writePair(pkiDir: string, name: string, pair: CertificateAndKey): Promise<CertificateAndKey> {
  await writeFileAtomic(join(pkiDir, `${name}.key`), pair.keyPem, 0o600);
  await writeFileAtomic(join(pkiDir, `${name}.crt`), pair.certPem, 0o644);
  return pair;
}
