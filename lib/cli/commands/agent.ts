import type { Command } from 'commander';
import { SecretsClient } from '../../client';
import { validateInteger } from '../../core';
import { ValidationError, show } from '../../errors';
import { RotationWatcher, startSecretsAgent } from '../../injection';
import type { CliContext } from '../context';
import { withExamples } from '../help';
import { cliLogger, secondsFlag, watchInterval } from './run';

interface AgentFlags {
  readonly port: string;
  readonly maxConnections: string;
  readonly ttl: string;
  readonly interval: string;
  readonly watch: boolean;
  readonly pathPrefix: string;
  readonly tokenFile?: string;
}

function integerFlag(value: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(value))
    throw new ValidationError(flag, `${flag} must be a whole number, got ${show(value)}.`);
  return validateInteger(Number(value), flag, min, max);
}

/**
 * The agent's client: as the context's, but with its read cache on, since the agent is a
 * long-running server whose every request is a read.
 */
function cachedClient(context: CliContext): SecretsClient {
  const config = context.awsConfig();
  return new SecretsClient({
    secretsManagerConfig: config,
    kmsConfig: config,
    environment: context.globals().environment ?? context.io.env.KEYSTAGE_ENVIRONMENT ?? null,
    service: context.io.env.KEYSTAGE_SERVICE ?? null,
  });
}

/** `keystage agent`: the sidecar, until SIGINT or SIGTERM. */
export function registerAgent(program: Command, context: CliContext): void {
  const command = program
    .command('agent')
    .summary('serve secrets to a workload over HTTP on 127.0.0.1 (Secrets Manager Agent API)')
    .description(
      'Answers as the AWS Secrets Manager Agent does: GET /secretsmanager/get?secretId=<id> and ' +
        '/v1/<id> (with versionStage, versionId, refreshNow), and /ping. Requests carry the SSRF token ' +
        'in X-Aws-Parameters-Secrets-Token (or X-Vault-Token); it is read from AWS_TOKEN, ' +
        'AWS_SESSION_TOKEN or AWS_CONTAINER_AUTHORIZATION_TOKEN (the token, or file:///path). Every ' +
        'read is audited as a get. Unlike the Agent, a rotation is served as soon as the watcher sees ' +
        'it, not after the TTL.',
    )
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', '2773')
    .option('--max-connections <n>', 'connections served at once (1-1000)', '800')
    .option('--ttl <seconds>', "how long a secret's version list is used before it is described again", '300')
    .option('--interval <seconds>', 'how often the watcher looks for a rotation', '60')
    .option('--no-watch', 'no rotation watcher: refresh by TTL only, as the Agent does')
    .option('--path-prefix <prefix>', 'prefix of path-style requests', '/v1/')
    .option('--token-file <path>', 'read the SSRF token from this file instead of the environment')
    .action(async (flags: AgentFlags) => {
      const port = integerFlag(flags.port, '--port', 0, 65535);
      const maxConnections = integerFlag(flags.maxConnections, '--max-connections', 1, 1000);
      const ttlMs = secondsFlag(flags.ttl, '--ttl');
      const intervalMs = watchInterval(flags.interval);
      const client = cachedClient(context);
      const logger = cliLogger(context, 'agent');
      const watcher = flags.watch ? new RotationWatcher(client, { intervalMs, logger }) : false;
      let agent;
      try {
        agent = await startSecretsAgent({
          client,
          port,
          maxConnections,
          ttlMs,
          pathPrefix: flags.pathPrefix,
          watcher,
          env: context.io.env,
          logger,
          ...(flags.tokenFile === undefined ? {} : { token: `file://${flags.tokenFile}` }),
        });
      } catch (error) {
        if (watcher !== false) watcher.close();
        throw error;
      }
      const running = agent;
      const stop = (signal: string) => {
        context.info(`${signal}: stopping`);
        void running.close().then(() => {
          if (watcher !== false) watcher.close();
          client.close();
          process.exit(0);
        });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      context.println(`keystage agent listening at ${running.url}`);
      context.setExitCode(-1);
    });
  withExamples(command, [
    ['AWS_TOKEN=$(openssl rand -hex 32) keystage agent', "serve on the Agent's port, 2773"],
    [
      'curl -H "X-Aws-Parameters-Secrets-Token: $AWS_TOKEN" localhost:2773/v1/prod/billing/db',
      'read a secret (GetSecretValue JSON)',
    ],
    ['keystage agent --port 0 --token-file /var/run/awssmatoken --no-watch', 'a free port, TTL only'],
  ]);
}
