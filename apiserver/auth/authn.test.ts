import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { Socket, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { Authenticator, httpsServerOptions, loadTokenFile, type AuthenticationResult } from './authn.js';
import { createCertificateAuthority, issueClientCertificate } from './certificates.js';
import { writeKubeconfig } from './kubeconfig.js';
import { ensurePKI, type PKI } from './pki.js';

const SERVER_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-flotilla.test' };

let dir: string;
let pki: PKI;
let server: https.Server;
let port: number;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-authn-'));
  pki = await ensurePKI(dir, {});
  const tokenPath = join(dir, 'tokens.csv');
  await writeFile(tokenPath, 'good-token,alice,uid-a,"devs,ops"\n');
  const authenticator = new Authenticator({ caPem: pki.caCertPem, tokens: loadTokenFile(tokenPath) });

  server = https.createServer(httpsServerOptions(pki), (req, res) => {
    const result = authenticator.authenticate({ socket: req.socket, headers: req.headers });
    res.setHeader('content-type', 'application/json');
    if (new URL(req.url ?? '/', 'https://host').pathname === '/version') {
      // Only authenticated callers get an answer, so a passing kubectl run proves its credentials were accepted.
      if (result === null || result === 'invalid') {
        res.writeHead(401).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 }));
      } else {
        res.end(JSON.stringify(SERVER_VERSION));
      }
      return;
    }
    res.end(JSON.stringify({ result }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

interface ClientOptions {
  servername?: string;
  ca?: string;
  cert?: string;
  key?: string;
  authorization?: string;
}

function whoami(opts: ClientOptions = {}): Promise<AuthenticationResult> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: '/whoami',
        ca: opts.ca ?? pki.caCertPem,
        servername: opts.servername,
        cert: opts.cert,
        key: opts.key,
        headers: opts.authorization === undefined ? {} : { authorization: opts.authorization },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve((JSON.parse(body) as { result: AuthenticationResult }).result));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const admin = () => ({ cert: pki.adminCertPem, key: pki.adminKeyPem });

test('the serving certificate verifies against the CA by name and by IP', async () => {
  assert.equal(await whoami({ servername: 'localhost' }), null);
  assert.equal(await whoami(), null, 'no servername: verified against the IP 127.0.0.1');
  await assert.rejects(whoami({ servername: 'not-in-the-certificate.example' }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  const otherCA = await createCertificateAuthority('other-ca', 1);
  // OpenSSL sends the CA along with the serving certificate, so the failure is reported against the chain.
  await assert.rejects(whoami({ ca: otherCA.certPem }), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
});

test('the admin client certificate authenticates as admin in system:masters', async () => {
  assert.deepEqual(await whoami({ servername: 'localhost', ...admin() }), {
    username: 'admin',
    groups: ['system:masters', 'system:authenticated'],
  });
});

test('a bearer token from the token file authenticates', async () => {
  const alice = { username: 'alice', uid: 'uid-a', groups: ['devs', 'ops', 'system:authenticated'] };
  assert.deepEqual(await whoami({ authorization: 'Bearer good-token' }), alice);
  assert.deepEqual(await whoami({ authorization: ' bearer good-token ' }), alice, 'scheme is case-insensitive');
});

test('an unknown bearer token is invalid, not anonymous', async () => {
  assert.equal(await whoami({ authorization: 'Bearer wrong-token' }), 'invalid');
});

test('no credentials, or a non-bearer Authorization header, is anonymous', async () => {
  assert.equal(await whoami(), null);
  assert.equal(await whoami({ authorization: 'Basic YWxpY2U6cHc=' }), null);
  assert.equal(await whoami({ authorization: 'Bearer' }), null);
});

test('a client certificate from another CA is not accepted, even with an admin subject', async () => {
  const otherCA = await createCertificateAuthority('flotilla-ca', 1);
  const forged = await issueClientCertificate(otherCA, { commonName: 'admin', organizations: ['system:masters'] }, 1);
  assert.equal(await whoami({ cert: forged.certPem, key: forged.keyPem }), 'invalid');
  // As in kube's union authenticator, a failed method does not stop another one from succeeding.
  const viaToken = await whoami({ cert: forged.certPem, key: forged.keyPem, authorization: 'Bearer good-token' });
  assert.equal(viaToken !== null && viaToken !== 'invalid' && viaToken.username, 'alice');
});

test('a certificate the TLS layer accepts but our CA did not sign is rejected', async () => {
  const otherCA = await createCertificateAuthority('member-ca', 1);
  const foreign = await issueClientCertificate(otherCA, { commonName: 'admin', organizations: ['system:masters'] }, 1);
  const authenticator = new Authenticator({ caPem: pki.caCertPem });
  const wide = https.createServer({ ...httpsServerOptions(pki), ca: [pki.caCertPem, otherCA.certPem] }, (req, res) => {
    const socket = req.socket as TLSSocket;
    res.end(JSON.stringify({ authorized: socket.authorized, result: authenticator.authenticate({ socket, headers: req.headers }) }));
  });
  await new Promise<void>((resolve) => wide.listen(0, '127.0.0.1', resolve));
  try {
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(
          { host: '127.0.0.1', port: (wide.address() as AddressInfo).port, ca: pki.caCertPem, cert: foreign.certPem, key: foreign.keyPem, agent: false },
          (res) => {
            let data = '';
            res.on('data', (chunk) => (data += chunk));
            res.on('end', () => resolve(data));
          },
        )
        .on('error', reject);
    });
    assert.deepEqual(JSON.parse(body), { authorized: true, result: 'invalid' });
  } finally {
    wide.closeAllConnections();
    await new Promise((resolve) => wide.close(resolve));
  }
});

test('a certificate of our CA without the clientAuth usage is not a client credential', async () => {
  assert.equal(await whoami({ cert: pki.servingCertPem, key: pki.servingKeyPem }), 'invalid');
});

test('a valid client certificate wins over a bad token, as x509 comes first in kube', async () => {
  const result = await whoami({ ...admin(), authorization: 'Bearer wrong-token' });
  assert.equal(result !== null && result !== 'invalid' && result.username, 'admin');
});

test('a connection without TLS carries no certificate', () => {
  const authenticator = new Authenticator({ caPem: pki.caCertPem });
  assert.equal(authenticator.authenticate({ socket: new Socket(), headers: {} }), null);
  assert.equal(authenticator.authenticate({ socket: new Socket(), headers: { authorization: 'Bearer x' } }), 'invalid');
});

async function findKubectl(): Promise<string | undefined> {
  for (const d of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin']) {
    const candidate = join(d, 'kubectl');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

test('kubectl works with the written kubeconfigs', async (t) => {
  const kubectl = await findKubectl();
  if (!kubectl) {
    t.skip('kubectl not found');
    return;
  }
  const run = (kubeconfig: string) =>
    promisify(execFile)(kubectl, ['--kubeconfig', kubeconfig, 'version', '-o', 'json'], {
      env: { ...process.env, HOME: dir, KUBECONFIG: '' },
      timeout: 30_000,
    });
  const server = `https://127.0.0.1:${port}`;

  const certConfig = join(dir, 'admin.kubeconfig');
  await writeKubeconfig(certConfig, { server, caPem: pki.caCertPem, user: 'admin', clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem });
  const { stdout } = await run(certConfig);
  assert.equal(JSON.parse(stdout).serverVersion.gitVersion, SERVER_VERSION.gitVersion);

  const tokenConfig = join(dir, 'token.kubeconfig');
  await writeKubeconfig(tokenConfig, { server, caPem: pki.caCertPem, user: 'alice', token: 'good-token', name: 'tokens' });
  assert.equal(JSON.parse((await run(tokenConfig)).stdout).serverVersion.gitVersion, SERVER_VERSION.gitVersion);

  const badConfig = join(dir, 'bad.kubeconfig');
  await writeKubeconfig(badConfig, { server, caPem: pki.caCertPem, user: 'mallory', token: 'wrong-token' });
  await assert.rejects(run(badConfig), /You must be logged in to the server/);
});
