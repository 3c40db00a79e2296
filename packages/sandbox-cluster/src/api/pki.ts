import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ServingCert {
  key: string;
  cert: string;
}

/**
 * A fresh self-signed serving certificate for 127.0.0.1/localhost. TLS is not optional: kubectl
 * (client-go) never sends a bearer token over plain HTTP. Made with the openssl CLI (present on
 * Linux and macOS) so no key material is committed and nothing is downloaded.
 */
export function createServingCert(): ServingCert {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-troubleshoot-pki-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyFile, '-out', certFile, '-days', '365', '-subj', '/CN=kube-troubleshoot-sandbox',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
  } catch (e) {
    throw new Error(`could not create the sandbox's TLS certificate with openssl: ${(e as Error).message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
