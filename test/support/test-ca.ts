import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A server certificate and its key, as PEM, with the names it was issued for. */
export interface IssuedCertificate {
  readonly names: readonly string[];
  readonly certPem: string;
  readonly keyPem: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A certificate authority made for one test file with the openssl CLI (P-256 keys, valid for
 * a day), issuing server certificates for the names a test wants a server to present.
 */
export class TestCa {
  /** The CA certificate as a file, for NODE_EXTRA_CA_CERTS. */
  readonly certFile: string;
  readonly certPem: string;
  readonly #keyFile: string;
  readonly #dir: string;

  private constructor(dir: string, name: string) {
    this.#dir = dir;
    this.certFile = join(dir, `${name}.pem`);
    this.#keyFile = join(dir, `${name}.key`);
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      this.#keyFile,
      '-out',
      this.certFile,
    ]);
    this.certPem = readFileSync(this.certFile, 'utf8');
  }

  /** A new CA whose files live in `dir`. */
  static create(dir: string, name: string): TestCa {
    return new TestCa(dir, name);
  }

  /** A server certificate naming `names` (DNS names, or IP addresses), signed by this CA. */
  issue(names: readonly string[]): IssuedCertificate {
    const base = join(this.#dir, `server-${randomBytes(4).toString('hex')}`);
    const alt = names.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
    writeFileSync(
      `${base}.ext`,
      `subjectAltName=${alt}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
    );
    openssl([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      `/CN=${names[0] ?? 'server'}`,
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.csr`,
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      this.certFile,
      '-CAkey',
      this.#keyFile,
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      '1',
      '-extfile',
      `${base}.ext`,
      '-out',
      `${base}.pem`,
    ]);
    return {
      names,
      certPem: readFileSync(`${base}.pem`, 'utf8'),
      keyPem: readFileSync(`${base}.key`, 'utf8'),
    };
  }
}
