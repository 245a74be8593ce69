import { execFile } from 'node:child_process';

/** How to start `keystage`, e.g. ['npx', 'keystage'], where its endpoint is, and its environment. */
export interface CliSetup {
  readonly keystage: readonly [command: string, ...args: string[]];
  readonly endpointUrl: string;
  /** AWS_REGION and credentials, as for the AWS CLI. */
  readonly env: NodeJS.ProcessEnv;
}

/** What one run printed, and its exit code. */
interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// The exit codes scripts branch on: one per error code, documented in the table above.
const EXIT = { usage: 2, notFound: 4, revoked: 6 } as const;

export async function cliExample({ keystage: [command, ...prefix], endpointUrl, env }: CliSetup) {
  const keystage = (...args: string[]) =>
    new Promise<Run>((resolve) => {
      execFile(
        command,
        [...prefix, '--endpoint-url', endpointUrl, ...args],
        { env },
        (error, stdout, stderr) =>
          resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr }),
      );
    });

  // Create the key unless it exists: branch on the exit code, never on the message.
  const described = await keystage('describe', 'dev/payments/stripe');
  if (described.code === EXIT.notFound) {
    await keystage('create', 'stripe', '-e', 'dev', '--service', 'payments', '--kind', 'api-key');
  }

  // A new key, generated and stored without ever passing through this script or a terminal.
  await keystage('generate', 'api-key', '--prefix', 'pay', '--put', 'dev/payments/stripe');

  // --output json from a listing is NDJSON: one secret per line, metadata only.
  const listing = await keystage('list', '-e', 'dev', '--output', 'json');
  const names = listing.stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { name: string }).name);

  // The value reaches a program only through get --plain, into a pipe.
  const key = (await keystage('get', 'dev/payments/stripe', '--plain')).stdout;

  // Destructive commands ask on a terminal; a script confirms with --yes, or is refused (exit 2).
  const unconfirmed = await keystage('revoke', 'dev/payments/stripe', '--reason', 'drill');
  await keystage('revoke', 'dev/payments/stripe', '--reason', 'drill', '--yes');
  const revoked = await keystage('get', 'dev/payments/stripe', '--plain');
  await keystage('restore', 'dev/payments/stripe');

  // One field of the result with --query (JMESPath) and --output text.
  const stages = await keystage(
    'versions',
    'dev/payments/stripe',
    '--query',
    '[0].stages[0]',
    '--output',
    'text',
  );

  return {
    names,
    keyPrefix: key.split('_')[0],
    refusedWithoutYes: unconfirmed.code === EXIT.usage,
    readsRevoked: revoked.code === EXIT.revoked,
    newest: stages.stdout.trim(),
  };
}
