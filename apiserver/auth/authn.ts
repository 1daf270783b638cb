// Request authentication as kube-apiserver does it: client certificates signed by the cluster CA, then bearer tokens.
import { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket, type PeerCertificate } from 'node:tls';
import type { PKI } from './pki.js';
import { withAuthenticatedGroup, type UserInfo } from './user.js';

export { loadTokenFile } from './tokenfile.js';
export type { UserInfo } from './user.js';

/**
 * The outcome of authenticating one request: a user; null when the request offered no credentials (anonymous);
 * 'invalid' when it offered credentials and none was accepted (kube answers 401 and never falls back to anonymous).
 */
export type AuthenticationResult = UserInfo | null | 'invalid';

export interface AuthenticationRequest {
  socket: Socket;
  headers: IncomingHttpHeaders;
}

/**
 * TLS options for the apiserver. Clients such as kubectl only send a certificate when the server asks for one, so
 * every handshake requests it; verification failures must not abort the handshake, because a token may still
 * authenticate the request and anonymous requests are allowed through to authorization.
 */
export function httpsServerOptions(pki: PKI): {
  key: string;
  cert: string;
  ca: string[];
  requestCert: true;
  rejectUnauthorized: false;
} {
  return { key: pki.servingKeyPem, cert: pki.servingCertPem, ca: [pki.caCertPem], requestCert: true, rejectUnauthorized: false };
}

const FINGERPRINT_CACHE_SIZE = 1024;

export class Authenticator {
  readonly #ca: X509Certificate;
  readonly #tokens: Map<string, UserInfo>;
  // The client certificate is fixed for the life of a connection, so it is checked once per connection rather
  // than on each of the many requests a kept-alive connection carries.
  readonly #byConnection = new WeakMap<TLSSocket, AuthenticationResult>();
  // Clients that open a connection per request bring the same certificate again and again: its signature check and
  // subject, pure functions of the certificate, are kept by its SHA-256 fingerprint (as kube's x509 authenticator
  // caches verifications).
  readonly #byFingerprint = new Map<string, AuthenticationResult>();

  constructor(opts: { caPem: string; tokens?: Map<string, UserInfo> }) {
    this.#ca = new X509Certificate(opts.caPem);
    this.#tokens = opts.tokens ?? new Map();
  }

  // Like kube's union authenticator: the first method that yields a user wins, and a method that fails only
  // makes the request invalid if no other method succeeds.
  authenticate(req: AuthenticationRequest): AuthenticationResult {
    const byCert = this.#certificateUser(req.socket);
    if (byCert !== null && byCert !== 'invalid') return withAuthenticatedGroup(byCert);
    const byToken = this.#tokenUser(req.headers);
    if (byToken !== null && byToken !== 'invalid') return withAuthenticatedGroup(byToken);
    return byCert === 'invalid' || byToken === 'invalid' ? 'invalid' : null;
  }

  #certificateUser(socket: Socket): AuthenticationResult {
    if (!(socket instanceof TLSSocket)) return null;
    let result = this.#byConnection.get(socket);
    if (result === undefined) {
      result = this.#verifyPeer(socket);
      this.#byConnection.set(socket, result);
    }
    return result;
  }

  #verifyPeer(socket: TLSSocket): AuthenticationResult {
    const peer = socket.getPeerCertificate();
    if (!peer?.raw) return null;
    // `authorized` covers the chain, validity dates and the clientAuth purpose against whatever the server trusts;
    // the explicit issuer check pins it to our CA in case the server's trust list is ever wider.
    if (!socket.authorized) return 'invalid';
    let result = this.#byFingerprint.get(peer.fingerprint256);
    if (result === undefined) {
      result = this.#certificateIdentity(peer);
      if (this.#byFingerprint.size >= FINGERPRINT_CACHE_SIZE) this.#byFingerprint.clear();
      this.#byFingerprint.set(peer.fingerprint256, result);
    }
    return result;
  }

  #certificateIdentity(peer: PeerCertificate): AuthenticationResult {
    const cert = new X509Certificate(peer.raw);
    if (!cert.checkIssued(this.#ca) || !cert.verify(this.#ca.publicKey)) return 'invalid';
    // Go's pkix.Name keeps the last CN and every O; Node reports a repeated attribute as an array.
    const cn = [peer.subject?.CN as string | string[] | undefined].flat().at(-1);
    if (!cn) return null;
    const orgs = [peer.subject?.O as string | string[] | undefined].flat().filter((o): o is string => o !== undefined);
    return { username: cn, groups: orgs };
  }

  #tokenUser(headers: IncomingHttpHeaders): AuthenticationResult {
    // Mirrors kube's bearer token parsing: a header that is not a Bearer credential is not an attempt at one.
    const parts = (headers.authorization ?? '').trim().split(' ');
    if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer' || parts[1] === '') return null;
    return this.#tokens.get(parts[1]!) ?? 'invalid';
  }
}
