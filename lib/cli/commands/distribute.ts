import type { Command } from 'commander';
import { sdkKmsClient } from '../../core/kms-sdk';
import {
  Distributor,
  EnvelopeVerifier,
  MAX_USES,
  Recipient,
  RecipientKey,
  SealedEnvelope,
  generateRecipientKey,
  recipientKeyFingerprint,
} from '../../distribution';
import { ValidationError, show } from '../../errors';
import type { CliContext } from '../context';
import { withExamples } from '../help';
import { integerFlag, spanMs } from '../parse';
import { unlink } from 'node:fs/promises';
import { assertNewFile, readInputFile, writeNewFile } from './command-files';

/** What `distribute key` writes: the recipient's key pair. The private half is secret material. */
interface RecipientKeyFile {
  readonly format: 'keystage/recipient-key';
  readonly version: 1;
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly privateKey: string;
}

const MINUTE_MS = 60_000;
const MAX_DAYS = 30;

/** `15m`, `2h`, `7d`: how long an envelope opens, up to 30 days. */
function durationFlag(value: string, flag: string): number {
  const ms = spanMs(value) ?? NaN;
  if (!(ms >= MINUTE_MS && ms <= MAX_DAYS * 24 * 60 * MINUTE_MS)) {
    throw new ValidationError(
      flag,
      `${flag} takes minutes, hours or days up to ${MAX_DAYS}d, e.g. 15m, 2h, 7d; got ${show(value)}.`,
    );
  }
  return ms;
}

/** The distributor's KMS signing key: --signing-key, else KEYSTAGE_SIGNING_KEY. */
function signingKeyOf(context: CliContext, flag: string | undefined): string {
  const keyId = flag ?? context.io.env.KEYSTAGE_SIGNING_KEY;
  if (keyId === undefined || keyId === '') {
    throw new ValidationError(
      '--signing-key',
      'Name the KMS key that signs envelopes (ECC_NIST_P256, SIGN_VERIFY) with --signing-key KEY_ID or KEYSTAGE_SIGNING_KEY.',
    );
  }
  return keyId;
}

/**
 * The distributor of this run, over the context's client. Recipients are registered per run:
 * the record in Secrets Manager, not this process, holds each envelope's key, expiry, uses and
 * revocation, so any run with the signing key can issue, redeem or revoke.
 */
function distributorOf(
  context: CliContext,
  keyId: string,
): { distributor: Distributor; kms: ReturnType<typeof sdkKmsClient> } {
  const secrets = context.client();
  const kms = sdkKmsClient(secrets.kms);
  const trail = context.auditTrail();
  return {
    distributor: new Distributor({
      secrets,
      signingKey: { keyId, kms },
      // Issues, opens, refusals and revocations go to the run's audit trail with its calls.
      ...(trail === undefined ? {} : { audit: trail.sink, principal: trail.principal }),
    }),
    kms,
  };
}

/** A public key from a `.pub` file (the key as text) or a recipient key file (its public half). */
async function readPublicKey(path: string): Promise<string> {
  const text = (await readInputFile(path, '--public-key')).toString('utf8').trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const publicKey = (parsed as { publicKey?: unknown } | undefined)?.publicKey;
    if (typeof publicKey === 'string') return publicKey;
    throw new ValidationError(
      '--public-key',
      `--public-key: ${show(path)} is no public key (keystage distribute key writes one).`,
    );
  }
  try {
    recipientKeyFingerprint(text);
  } catch {
    throw new ValidationError(
      '--public-key',
      `--public-key: ${show(path)} is no X25519 public key (43 characters of base64url; keystage distribute key writes one).`,
    );
  }
  return text;
}

async function readRecipientKey(path: string): Promise<RecipientKey> {
  const text = (await readInputFile(path, '--key')).toString('utf8');
  let parsed: Partial<RecipientKeyFile> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<RecipientKeyFile>;
  } catch {
    parsed = undefined;
  }
  if (parsed?.format !== 'keystage/recipient-key' || typeof parsed.privateKey !== 'string') {
    throw new ValidationError(
      '--key',
      `--key: ${show(path)} is not a recipient key file (keystage distribute key writes one).`,
    );
  }
  let key: RecipientKey;
  try {
    key = RecipientKey.fromPrivateKey(new Uint8Array(Buffer.from(parsed.privateKey, 'base64url')));
  } catch {
    throw new ValidationError('--key', `--key: ${show(path)} holds no X25519 private key.`);
  }
  if (parsed.publicKey !== undefined && parsed.publicKey !== key.publicKey) {
    throw new ValidationError(
      '--key',
      `--key: in ${show(path)}, the public key is not the private key's: the file was changed.`,
    );
  }
  return key;
}

function registerKey(distribute: Command, context: CliContext): void {
  const command = distribute
    .command('key')
    .summary("make a recipient's key pair: a private key file (0600) and its public key")
    .requiredOption('--out <file>', 'the private key file to write (a new file, mode 0600)')
    .option('--public-out <file>', 'the public key file (default: --out with .pub added)')
    .option('--dry-run', 'show the files it would write; write nothing')
    .action(async (flags: { out: string; publicOut?: string; dryRun?: boolean }) => {
      const publicPath = flags.publicOut ?? `${flags.out}.pub`;
      await assertNewFile(flags.out, '--out');
      await assertNewFile(publicPath, '--public-out');
      if (flags.dryRun === true) {
        context.print({
          dryRun: true,
          action: 'distribute key',
          keyFile: flags.out,
          publicKeyFile: publicPath,
        });
        return;
      }
      const key = await generateRecipientKey();
      const file: RecipientKeyFile = {
        format: 'keystage/recipient-key',
        version: 1,
        publicKey: key.publicKey,
        fingerprint: key.fingerprint,
        privateKey: Buffer.from(key.exportPrivateKey()).toString('base64url'),
      };
      await writeNewFile(flags.out, Buffer.from(`${JSON.stringify(file, null, 2)}\n`), '--out');
      try {
        await writeNewFile(publicPath, Buffer.from(`${key.publicKey}\n`), '--public-out');
      } catch (error) {
        // A key pair is both files or neither.
        await unlink(flags.out).catch(() => undefined);
        throw error;
      }
      context.print({
        publicKey: key.publicKey,
        fingerprint: key.fingerprint,
        keyFile: flags.out,
        publicKeyFile: publicPath,
      });
    });
  withExamples(command, [
    ['keystage distribute key --out reports.key', 'reports.key (secret) and reports.key.pub (send it)'],
  ]);
}

interface IssueFlags {
  readonly recipient: string;
  readonly publicKey: string;
  readonly signingKey?: string;
  readonly expiresIn: string;
  readonly maxUses: string;
  readonly purpose: string;
  readonly out: string;
  readonly dryRun?: boolean;
}

function registerIssue(distribute: Command, context: CliContext): void {
  const command = distribute
    .command('issue')
    .summary("seal a secret's current value to one recipient's public key, in an envelope file")
    .description(
      "Seals a secret's AWSCURRENT value to a recipient's X25519 public key (HPKE), signed with the KMS " +
        'signing key, under a content key split with a distribution record in Secrets Manager: the ' +
        'envelope opens only with the recipient key, only before --expires-in runs out, at most ' +
        '--max-uses times, and never after distribute revoke. The envelope is written to --out (mode ' +
        '0600); its id and facts are printed, never the value.',
    )
    .argument('<id>', 'secret name (bare with -e), or ARN')
    .requiredOption('--recipient <id>', "who it is for: the recipient's principal id")
    .requiredOption('--public-key <file>', "the recipient's public key (.pub from distribute key)")
    .requiredOption('--purpose <text>', 'why it is handed out, for the audit trail (1 to 256 characters)')
    .requiredOption('--out <file>', 'the envelope file to write (a new file)')
    .option('--signing-key <keyId>', 'the KMS signing key (default KEYSTAGE_SIGNING_KEY)')
    .option('--expires-in <duration>', 'how long it opens: 15m, 2h, 7d (up to 30d)', '1h')
    .option('--max-uses <n>', `how many times it opens (1 to ${MAX_USES})`, '1')
    .option('--dry-run', 'check the flags and the secret; issue nothing')
    .action(async (id: string, flags: IssueFlags) => {
      const expiresIn = durationFlag(flags.expiresIn, '--expires-in');
      const maxUses = integerFlag(flags.maxUses, '--max-uses', 1, MAX_USES);
      const keyId = signingKeyOf(context, flags.signingKey);
      const publicKey = await readPublicKey(flags.publicKey);
      await assertNewFile(flags.out, '--out');
      if (flags.dryRun === true) {
        const { name, arn } = await context.client().describe(id);
        context.print({
          dryRun: true,
          action: 'distribute issue',
          secretName: name,
          arn,
          recipient: flags.recipient,
          recipientKey: recipientKeyFingerprint(publicKey),
          expiresInMs: expiresIn,
          maxUses,
          out: flags.out,
        });
        return;
      }
      const { distributor } = distributorOf(context, keyId);
      // Issue evaluates no policy: the principal only names whom the envelope is for.
      distributor.registerRecipient({
        principal: { id: flags.recipient, service: flags.recipient, environment: 'any', roles: [] },
        publicKey,
      });
      const envelope = await distributor.issue(id, {
        recipient: flags.recipient,
        expiresIn,
        maxUses,
        purpose: flags.purpose,
      });
      await writeNewFile(flags.out, Buffer.from(`${envelope.serialize()}\n`), '--out');
      context.print({
        ...envelope.toJSON(),
        issuedAt: new Date(envelope.issuedAt),
        expiresAt: new Date(envelope.expiresAt),
        out: flags.out,
      });
    });
  withExamples(command, [
    [
      'keystage distribute issue prod/billing/db --recipient reports-job --public-key reports.key.pub --purpose "monthly report" --expires-in 15m --out db.envelope',
      'one open within 15 minutes',
    ],
  ]);
}

interface OpenFlags {
  readonly key: string;
  readonly signingKey?: string;
  readonly out?: string;
  readonly into?: string;
  readonly sourceIp?: string;
  readonly dryRun?: boolean;
}

function registerOpen(distribute: Command, context: CliContext): void {
  const command = distribute
    .command('open')
    .summary('open an envelope with the recipient key: --out writes the value to a file, --into stores it')
    .description(
      'Opens an envelope file: checks its signature against the KMS signing key you trust, redeems one ' +
        'use with its distribution record (refused once expired, used up or revoked), and decrypts with ' +
        'the recipient key file. --out FILE writes the value to a new file (mode 0600, whole or not at ' +
        'all, never over an existing file); --into ID stores it as a new version of a secret. Either way ' +
        "only facts are printed, never the value: keystage get --plain is the one command that prints a secret's " +
        "value. Each open uses one of the envelope's uses; the --out path and the --into secret are " +
        'checked first, so an open that could not deliver spends none.',
    )
    .argument('<envelope>', 'the envelope file (from distribute issue)')
    .requiredOption('--key <file>', 'the recipient key file (from distribute key)')
    .option(
      '--signing-key <keyId>',
      'the KMS key envelopes must be signed with (default KEYSTAGE_SIGNING_KEY)',
    )
    .option('--out <file>', 'write the value to this new file (mode 0600)')
    .option('--into <id>', 'store the value as a new version of this secret')
    .option('--source-ip <address>', 'the address to present to the distributor')
    .option('--dry-run', 'check the signature, the key and the distribution; spend no use, write nothing')
    .action(async (path: string, flags: OpenFlags) => {
      // Checked before the redemption: an open that cannot deliver must not use up a use.
      if ((flags.out === undefined) === (flags.into === undefined)) {
        throw new ValidationError(
          '--out',
          'Write the value to a new file with --out FILE, or store it with --into ID, one of the two.',
        );
      }
      const keyId = signingKeyOf(context, flags.signingKey);
      const key = await readRecipientKey(flags.key);
      const envelope = SealedEnvelope.parse((await readInputFile(path, 'envelope')).toString('utf8').trim());
      // A taken --out path or a missing --into secret is found before the redemption, not after a use is spent.
      if (flags.out !== undefined) await assertNewFile(flags.out, '--out');
      if (flags.into !== undefined) await context.client().describe(flags.into);
      const target = flags.out === undefined ? { into: flags.into! } : { out: flags.out };
      const { distributor, kms } = distributorOf(context, keyId);
      const verifier = new EnvelopeVerifier({ keyId, kms });
      if (flags.dryRun === true) {
        await verifier.verify(envelope);
        context.print({
          dryRun: true,
          action: 'distribute open',
          sealedToThisKey: envelope.recipientKey === key.fingerprint,
          ...(await distributor.validateUsage(envelope.id)),
          ...target,
        });
        return;
      }
      // This run redeems for the envelope's recipient; possession of the key is what the record
      // checks (with expiry, uses and revocation). No policy is evaluated here.
      distributor.registerRecipient({
        principal: { id: envelope.recipient, service: envelope.recipient, environment: 'any', roles: [] },
        publicKey: key.publicKey,
      });
      const recipient = new Recipient({
        key,
        distributor,
        verifier,
        ...(flags.sourceIp === undefined ? {} : { sourceIp: flags.sourceIp }),
      });
      const value = await recipient.open(envelope);
      const opened = { distributionId: envelope.id, secretName: envelope.secretName };
      try {
        if (flags.out !== undefined) {
          const bytes = Buffer.from(value, 'utf8');
          await writeNewFile(flags.out, bytes, '--out');
          context.print({ ...opened, out: flags.out, bytes: bytes.length });
        } else {
          const versionId = await context.client().put(flags.into!, value);
          context.print({ ...opened, into: flags.into, versionId });
        }
      } catch (error) {
        // Both were checked before the redemption; this is a failure since, and the use is gone.
        context.warn(`distribution ${envelope.id}: this open used one of its uses, and delivered nothing.`);
        throw error;
      }
    });
  withExamples(command, [
    ['keystage distribute open db.envelope --key reports.key --out db.secret', 'a new 0600 file, unprinted'],
    ['keystage distribute open db.envelope --key reports.key --into dev/reports/db', 'store it unseen'],
  ]);
}

function registerRevoke(distribute: Command, context: CliContext): void {
  const command = distribute
    .command('revoke')
    .summary('revoke an issued envelope: it never opens again, whoever holds it; asks first')
    .argument('<distribution-id>', "the envelope's id (distribute issue printed it)")
    .requiredOption('--reason <text>', 'why (1 to 256 characters)')
    .option('--signing-key <keyId>', "the distributor's KMS signing key (default KEYSTAGE_SIGNING_KEY)")
    .option('--dry-run', 'show the distribution; change nothing')
    .action(async (id: string, flags: { reason: string; signingKey?: string; dryRun?: boolean }) => {
      const { distributor } = distributorOf(context, signingKeyOf(context, flags.signingKey));
      const usage = await distributor.validateUsage(id);
      if (flags.dryRun === true) {
        context.print({ dryRun: true, action: 'distribute revoke', ...usage, reason: flags.reason });
        return;
      }
      const confirmed = await context.confirm({
        question: `Revoke distribution ${id}?`,
        changes: [
          `revoke distribution ${id}${usage.revoked ? ' (revoked already)' : ''}:`,
          `  ${usage.secretName} for ${usage.recipient}, ${usage.uses} of ${usage.maxUses} uses, expires ${usage.expiresAt.toISOString()}`,
        ],
      });
      if (!confirmed) return;
      context.print(await distributor.revoke(id, flags.reason));
    });
  withExamples(command, [
    ['keystage distribute revoke 0b6f...-... --reason "laptop lost"', 'after a prompt'],
    ['keystage distribute revoke 0b6f...-... --reason "report done" --yes', 'no prompt'],
  ]);
}

function registerStatus(distribute: Command, context: CliContext): void {
  const command = distribute
    .command('status')
    .summary('where an issued envelope stands: uses left, expiry, revocation')
    .argument('<distribution-id>', "the envelope's id")
    .option('--signing-key <keyId>', "the distributor's KMS signing key (default KEYSTAGE_SIGNING_KEY)")
    .action(async (id: string, flags: { signingKey?: string }) => {
      const { distributor } = distributorOf(context, signingKeyOf(context, flags.signingKey));
      context.print(await distributor.validateUsage(id));
    });
  withExamples(command, [
    ['keystage distribute status 0b6f...-...', 'uses left, expiry, revocation'],
    ['keystage distribute status 0b6f...-... --query valid --output text', 'true while it still opens'],
  ]);
}

/** `keystage distribute key|issue|open|revoke|status`: sealed, time-bound, use-limited handover. */
export function registerDistribute(program: Command, context: CliContext): void {
  const distribute = program
    .command('distribute')
    .summary('sealed envelopes to one recipient key: key, issue, open, revoke, status');
  registerKey(distribute, context);
  registerIssue(distribute, context);
  registerOpen(distribute, context);
  registerRevoke(distribute, context);
  registerStatus(distribute, context);
}
