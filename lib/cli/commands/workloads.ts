import type { Command } from 'commander';
import { ValidationError, show } from '../../errors';
import {
  inject,
  refresh,
  revoke,
  status,
  type InjectRequest,
  type SecretMapping,
  type WorkloadOptions,
  type WorkloadSdkClient,
  type WorkloadTarget,
} from '../../injection';
import { ecsSdk, lambdaSdk, ssmSdk } from '../../injection/workloads/sdk';
import type { CliContext } from '../context';
import { withExamples } from '../help';
import { collect, keyValues } from '../parse';

interface TargetFlags {
  readonly cluster?: string;
  readonly service?: string;
  readonly container?: string;
  readonly function?: string;
  readonly id?: string;
}

interface InjectFlags extends TargetFlags {
  readonly secret: string[];
  readonly set: string[];
  readonly extensionLayer?: string | false;
  readonly dryRun?: boolean;
}

/** `--cluster C --service S` (ECS) or `--function F` (Lambda): exactly one target. */
function targetOf(flags: TargetFlags, kind?: WorkloadTarget['kind']): WorkloadTarget {
  const ecs = flags.cluster !== undefined || flags.service !== undefined;
  const lambda = flags.function !== undefined;
  if ((kind === 'ecs' || (kind === undefined && ecs && !lambda)) && !lambda) {
    if (flags.cluster === undefined || flags.service === undefined) {
      throw new ValidationError('--cluster', 'An ECS target needs --cluster CLUSTER and --service SERVICE.');
    }
    return {
      kind: 'ecs',
      cluster: flags.cluster,
      service: flags.service,
      ...(flags.container === undefined ? {} : { container: flags.container }),
    };
  }
  if ((kind === 'lambda' || kind === undefined) && lambda && !ecs) {
    return { kind: 'lambda', functionName: flags.function! };
  }
  throw new ValidationError(
    '--cluster',
    kind === undefined
      ? 'Name the workload: --cluster CLUSTER --service SERVICE (ECS) or --function FUNCTION (Lambda), not both.'
      : `inject ${kind} takes ${kind === 'ecs' ? '--cluster and --service' : '--function'} only.`,
  );
}

/** `--secret NAME=id[#jsonKey]`: a variable and the secret it references. */
function mappingsOf(pairs: readonly string[]): SecretMapping[] {
  if (pairs.length === 0) {
    throw new ValidationError(
      '--secret',
      'Give at least one --secret NAME=SECRET-ID (ECS: NAME=SECRET-ID#JSON-KEY too).',
    );
  }
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) {
      throw new ValidationError(
        '--secret',
        `--secret takes NAME=SECRET-ID or NAME=SECRET-ID#JSON-KEY, e.g. DB_PASSWORD=prod/billing/db#password; got ${show(pair)}.`,
      );
    }
    const reference = pair.slice(at + 1);
    const hash = reference.indexOf('#');
    return {
      name: pair.slice(0, at),
      secret: hash < 0 ? reference : reference.slice(0, hash),
      ...(hash < 0 ? {} : { jsonKey: reference.slice(hash + 1) }),
    };
  });
}

/** An SDK client made on its first command, so an optional peer is loaded only when a call needs it. */
function lazyClient(create: () => WorkloadSdkClient): WorkloadSdkClient {
  let client: WorkloadSdkClient | undefined;
  return {
    send: (command, options) => (client ??= create()).send(command, options),
    destroy: () => client?.destroy(),
  };
}

/**
 * Runs `run` with ECS, Lambda and SSM clients configured by the global options (region,
 * endpoint, profile), each made on first use and destroyed after.
 */
async function withClients<R>(
  context: CliContext,
  extensionLayer: string | false | undefined,
  run: (options: WorkloadOptions) => Promise<R>,
): Promise<R> {
  const config = context.awsConfig();
  const clients = {
    ecs: lazyClient(() => new (ecsSdk().ECSClient)(config)),
    lambda: lazyClient(() => new (lambdaSdk().LambdaClient)(config)),
    ssm: lazyClient(() => new (ssmSdk().SSMClient)(config)),
  };
  try {
    return await run({ ...clients, ...(extensionLayer === undefined ? {} : { extensionLayer }) });
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

/**
 * `--dry-run`, wherever it was given: `inject` itself takes the option (for files), and
 * commander gives an option its parent knows to the parent.
 */
const dryRunOf = (flags: { readonly dryRun?: boolean }, command: Command): boolean =>
  flags.dryRun === true || command.parent?.opts<{ dryRun?: boolean }>().dryRun === true;

const describeTarget = (target: WorkloadTarget): string =>
  target.kind === 'ecs'
    ? `ECS service ${target.cluster}/${target.service}`
    : `Lambda function ${target.functionName}`;

function registerInjectInto(inject_: Command, context: CliContext, kind: WorkloadTarget['kind']): void {
  const command = inject_
    .command(kind)
    .summary(
      kind === 'ecs'
        ? 'reference secrets from an ECS service (a task definition revision, then UpdateService)'
        : "reference secrets from a Lambda function's environment, with the Parameters and Secrets extension",
    )
    .description(
      (kind === 'ecs'
        ? "Registers a revision of the service's task definition whose container references each secret " +
          'by ARN (secrets[].valueFrom, <arn>:<json-key>:: with #KEY), then updates the service to it. '
        : "Sets each variable of the function's environment to a secret's ARN (never its value) and adds " +
          'the AWS Parameters and Secrets Lambda Extension layer, which serves the values. ') +
        "The job is recorded in the target's tags. Run again with the same mappings, it changes nothing; " +
        'an interrupted run is finished by running it again. A plaintext value is refused: map it to a secret.',
    )
    .option(
      '--secret <NAME=id[#key]>',
      `a variable and the secret it references${kind === 'ecs' ? ' (#KEY: one JSON key)' : ''} (repeatable)`,
      collect,
      [],
    )
    .option('--set <NAME=value>', 'a plain, non-secret variable (repeatable)', collect, [])
    .option('--id <job>', 'the job id to record (default: the one on the target, else a new one)')
    .option('--dry-run', 'resolve the secrets and show the references; change nothing');
  if (kind === 'ecs') {
    command
      .option('--cluster <cluster>', "the cluster's name or ARN")
      .option('--service <service>', "the service's name or ARN")
      .option('--container <name>', 'the container that gets the secrets (default: the only one)');
  } else {
    command
      .option('--function <name>', "the function's name or ARN")
      .option(
        '--extension-layer <arn>',
        'the extension layer version ARN (default: the public SSM parameter)',
      )
      .option(
        '--no-extension-layer',
        'leave layers alone (a container image, or the extension already there)',
      );
  }
  command.action(async (flags: InjectFlags, self: Command) => {
    const target = targetOf(flags, kind);
    const request: InjectRequest = {
      target,
      mappings: mappingsOf(flags.secret),
      ...(flags.set.length === 0 ? {} : { environment: keyValues(flags.set, '--set') }),
      ...(flags.id === undefined ? {} : { id: flags.id }),
    };
    const client = context.client();
    if (dryRunOf(flags, self)) {
      const references = [];
      for (const mapping of request.mappings) {
        const { arn } = await client.describe(mapping.secret);
        references.push({
          name: mapping.name,
          secretArn: arn,
          jsonKey: mapping.jsonKey,
          reference: mapping.jsonKey === undefined || kind === 'lambda' ? arn : `${arn}:${mapping.jsonKey}::`,
        });
      }
      context.print({
        dryRun: true,
        target,
        references,
        environment: Object.keys(request.environment ?? {}),
      });
      return;
    }
    const result = await withClients(context, flags.extensionLayer, (options) =>
      inject(client, request, options),
    );
    context.print(result);
    context.info(
      `inject ${kind}: ${describeTarget(target)} ${result.changed ? 'now references' : 'already referenced'} ` +
        `${result.references.length} secret${result.references.length === 1 ? '' : 's'} (job ${result.job.id})`,
    );
  });
  withExamples(
    command,
    kind === 'ecs'
      ? [
          [
            'keystage inject ecs --cluster prod --service billing-api --secret DB_PASSWORD=prod/billing/db#password',
            'one JSON key',
          ],
          [
            'keystage inject ecs --cluster prod --service billing-api --secret STRIPE_KEY=prod/billing/stripe --dry-run',
            'the references only',
          ],
        ]
      : [
          [
            'keystage inject lambda --function billing-worker --secret DB_SECRET_ARN=prod/billing/db',
            'the ARN, and the extension',
          ],
          [
            'keystage inject lambda --function billing-image --secret DB_SECRET_ARN=prod/billing/db --no-extension-layer',
            'a container image',
          ],
        ],
  );
}

function targetOptions(command: Command): Command {
  return command
    .option('--cluster <cluster>', 'ECS: the cluster')
    .option('--service <service>', 'ECS: the service')
    .option('--function <name>', 'Lambda: the function')
    .option('--id <job>', "the job id (default: whichever the target's tags record)");
}

const jobOf = (flags: TargetFlags) => ({
  target: targetOf(flags),
  ...(flags.id === undefined ? {} : { id: flags.id }),
});

function registerJobCommands(inject_: Command, context: CliContext): void {
  const statusCommand = targetOptions(
    inject_
      .command('status')
      .summary("a workload's injection: references, sync, secrets rotated since deployment"),
  ).action(async (flags: TargetFlags) => {
    const job = jobOf(flags);
    const result = await withClients(context, undefined, (options) => status(context.client(), job, options));
    context.print(result);
    if (result.needsRefresh)
      context.info(
        `${describeTarget(job.target)}: a secret rotated since the last deployment: keystage inject refresh`,
      );
  });
  withExamples(statusCommand, [
    ['keystage inject status --cluster prod --service billing-api --query needsRefresh', 'refresh needed?'],
  ]);

  const refreshCommand = targetOptions(
    inject_
      .command('refresh')
      .summary('make a workload read its secrets again (ECS: a new deployment; Lambda: new instances)'),
  )
    .option('--dry-run', 'show the status; change nothing')
    .action(async (flags: TargetFlags & { readonly dryRun?: boolean }, self: Command) => {
      const job = jobOf(flags);
      const result = await withClients<unknown>(context, undefined, (options) =>
        dryRunOf(flags, self)
          ? status(context.client(), job, options)
          : refresh(context.client(), job, options),
      );
      context.print(result);
    });
  withExamples(refreshCommand, [['keystage inject refresh --function billing-worker', 'after a rotation']]);

  const revokeCommand = targetOptions(
    inject_.command('revoke').summary("remove a job's secret references from a workload (asks first)"),
  )
    .option('--dry-run', 'show what would be removed; change nothing')
    .action(async (flags: TargetFlags & { readonly dryRun?: boolean }, self: Command) => {
      const job = jobOf(flags);
      const client = context.client();
      const dryRun = dryRunOf(flags, self);
      await withClients(context, undefined, async (options) => {
        const now = await status(client, job, options);
        if (dryRun || now.job === undefined) {
          context.print({
            dryRun,
            job: now.job,
            remove: now.references.map((ref) => ref.name),
          });
          if (now.job === undefined)
            context.info(`${describeTarget(job.target)} records no injection: nothing to revoke.`);
          return;
        }
        const confirmed = await context.confirm({
          question: `Remove ${now.references.length} secret reference${now.references.length === 1 ? '' : 's'} from ${describeTarget(job.target)}?`,
          changes: [
            `revoke job ${now.job.id} on ${describeTarget(job.target)}:`,
            ...now.references.map((ref) => `  remove ${ref.name} (${ref.secretArn})`),
          ],
        });
        if (!confirmed) return;
        const result = await revoke(client, job, options);
        context.print(result);
      });
    });
  withExamples(revokeCommand, [
    ['keystage inject revoke --cluster prod --service billing-api --yes', 'off a terminal'],
  ]);
}

/** `keystage inject ecs|lambda|status|refresh|revoke`: the workload injector. */
export function registerWorkloads(inject_: Command, context: CliContext): void {
  registerInjectInto(inject_, context, 'ecs');
  registerInjectInto(inject_, context, 'lambda');
  registerJobCommands(inject_, context);
}
