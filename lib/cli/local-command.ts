import { startLocalEndpoint, type LocalEndpoint, type LocalEndpointOptions } from '../local';

/**
 * Runs the local endpoint until SIGINT or SIGTERM and prints how to point an SDK at it.
 * @example
 * const endpoint = await runLocal({ port: 4599 }, (line) => process.stdout.write(`${line}\n`));
 */
export async function runLocal(
  options: LocalEndpointOptions,
  print: (line: string) => void,
  exit: (code: number) => void = (code) => process.exit(code),
): Promise<LocalEndpoint> {
  const endpoint = await startLocalEndpoint(options);
  print(`keystage local endpoint (Secrets Manager + KMS) listening at ${endpoint.url}`);
  print(
    options.inMemory === true
      ? 'state: in memory'
      : `state: ${options.dataDir ?? '.keystage/local'} (encrypted)`,
  );
  print('\nPoint an AWS SDK or the AWS CLI at it:');
  for (const [key, value] of Object.entries(endpoint.environment())) print(`  export ${key}=${value}`);
  print('\nCtrl-C stops it.');
  const stop = (signal: string) => {
    print(`\n${signal}: stopping`);
    void endpoint.close().then(() => exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return endpoint;
}
