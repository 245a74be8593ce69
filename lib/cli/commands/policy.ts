import { ValidateResourcePolicyCommand } from '@aws-sdk/client-secrets-manager';
import type { Command } from 'commander';
import { toKeystageError } from '../../core';
import { ValidationError, show } from '../../errors';
import {
  AccessPolicy,
  POLICY_OPERATIONS,
  isPolicyOperation,
  rbacPolicy,
  type RbacAssignments,
  type RenderOptions,
} from '../../policy';
import type { CliContext } from '../context';
import { EXIT_DENIED, EXIT_FAILURE } from '../exit-codes';
import { withExamples } from '../help';
import { collect } from '../parse';
import { readJsonFile } from './command-files';

/** Where a command takes its policy from: exactly one of the two. */
interface PolicySource {
  readonly policy?: string;
  readonly rbac?: string;
}

const sourceOptions = (command: Command): Command =>
  command
    .option('--policy <file>', 'an access policy: JSON { "rules": [...] } (or the rules array)')
    .option(
      '--rbac <file>',
      "the RBAC preset, with the JSON assignments file's environments and roles ({} for the defaults)",
    );

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The policy `--policy` or `--rbac` names, built and checked: a bad rule is the library's
 * ValidationError, naming the rule and field, prefixed with the flag.
 */
export async function loadPolicy(source: PolicySource): Promise<AccessPolicy> {
  if ((source.policy === undefined) === (source.rbac === undefined)) {
    throw new ValidationError(
      '--policy',
      'Name the policy with --policy FILE (an access policy) or --rbac FILE (the RBAC preset), one of the two.',
    );
  }
  const flag = source.policy === undefined ? '--rbac' : '--policy';
  const parsed = await readJsonFile((source.policy ?? source.rbac)!, flag);
  try {
    if (flag === '--rbac') {
      if (!isRecord(parsed)) {
        throw new ValidationError(
          '--rbac',
          `--rbac takes a JSON object of assignments ({} for the defaults), got ${show(parsed)}.`,
        );
      }
      return rbacPolicy(parsed as RbacAssignments);
    }
    const rules = isRecord(parsed) ? parsed.rules : parsed;
    return new AccessPolicy({ rules: rules as AccessPolicy['rules'] });
  } catch (error) {
    if (error instanceof ValidationError && error.field !== flag) {
      throw new ValidationError(error.field, `${flag}: ${error.message}`);
    }
    throw error;
  }
}

interface CheckFlags extends PolicySource {
  readonly operation: string;
  readonly service: string;
  readonly principal: string;
  readonly role: readonly string[];
  readonly sourceIp?: string;
}

function registerCheck(policy: Command, context: CliContext): void {
  const command = sourceOptions(
    policy
      .command('check')
      .summary('decide one request with a policy: allowed, the deciding rule, why (exit 5 when denied)')
      .description(
        'Evaluates an access policy (--policy FILE) or the RBAC preset (--rbac FILE) for one request, ' +
          'as the client pipeline would, and prints { allowed, rule, reason }. The environment the call is ' +
          'made in is -e/--environment (or KEYSTAGE_ENVIRONMENT). Exits 0 when allowed and 5 (as ' +
          'PERMISSION_DENIED) when denied, so a script can branch. Makes no call.',
      )
      .argument('<secret>', 'the secret name (or ssm: id) asked about, as patterns match it')
      .requiredOption('--operation <operation>', `what the call does: ${POLICY_OPERATIONS.join(', ')}`)
      .requiredOption('--service <name>', 'the calling service')
      .option('--principal <id>', "the caller's id", 'policy-check')
      .option('--role <role>', 'a role the caller holds (repeatable)', collect, [])
      .option('--source-ip <address>', 'the address the call comes from (for sourceCidrs)'),
  ).action(async (secret: string, flags: CheckFlags) => {
    if (!isPolicyOperation(flags.operation)) {
      throw new ValidationError(
        '--operation',
        `--operation takes one of ${POLICY_OPERATIONS.join(', ')}; got ${show(flags.operation)}.`,
      );
    }
    const environment = context.globals().environment ?? context.io.env.KEYSTAGE_ENVIRONMENT;
    if (environment === undefined || environment === '') {
      throw new ValidationError(
        '--environment',
        'Name the environment the call is made in with -e/--environment (or KEYSTAGE_ENVIRONMENT).',
      );
    }
    const accessPolicy = await loadPolicy(flags);
    const decision = accessPolicy.evaluate({
      principal: {
        id: flags.principal,
        service: flags.service,
        environment,
        roles: flags.role,
        ...(flags.sourceIp === undefined ? {} : { sourceIp: flags.sourceIp }),
      },
      operation: flags.operation,
      secret,
    });
    context.print({
      allowed: decision.allowed,
      rule: decision.rule ?? null,
      reason: decision.reason,
      ...(decision.maxRequestsPerHour === undefined
        ? {}
        : { maxRequestsPerHour: decision.maxRequestsPerHour }),
    });
    if (!decision.allowed) context.setExitCode(EXIT_DENIED);
  });
  withExamples(command, [
    [
      'keystage policy check prod/billing/db --policy policy.json -e prod --service billing --operation read',
      'would billing read it in prod?',
    ],
    [
      'keystage policy check dev/web/api-key --rbac rbac.json -e dev --service web --role developer --operation update',
      'the RBAC preset',
    ],
    [
      'keystage policy check prod/billing/db --policy policy.json -e prod --service billing --operation read --source-ip 10.0.4.2 --query allowed --output text',
      'true or false',
    ],
  ]);
}

interface RenderFlags extends PolicySource {
  readonly iam?: boolean;
  readonly resourceArn?: string;
  readonly account?: string;
  readonly arnRegion?: string;
  readonly partition?: string;
  readonly roleTag?: string;
  readonly taggedRole: readonly string[];
  readonly vpcEndpoint: readonly string[];
  readonly denyOutsideAccount: boolean;
  readonly validate?: boolean;
}

function registerRender(policy: Command, context: CliContext): void {
  const command = sourceOptions(
    policy
      .command('render')
      .summary(
        'render a policy as an IAM identity policy or a secret resource policy, listing what IAM cannot say',
      )
      .description(
        'Renders an access policy (--policy FILE) or the RBAC preset (--rbac FILE) as the statements AWS ' +
          'enforces: --iam for an identity policy (attach it to the roles services run as), or ' +
          "--resource-arn ARN for one secret's resource policy. Prints the document and, never dropped, " +
          'what it cannot say (unrendered: rate limits, SSM parameters, untagged roles) and, for a resource ' +
          'policy, the rules that do not apply to the secret. --validate asks ValidateResourcePolicy of the ' +
          'configured endpoint about a resource policy (exit 1 when it does not pass). Writes nothing.',
      )
      .option('--iam', 'an identity-based policy')
      .option('--resource-arn <arn>', "a secret's resource policy (a full ARN, or any ARN with --account)")
      .option('--account <id>', "IAM: the resource ARNs' account (default *); resource: the secret's account")
      .option('--arn-region <region>', "IAM: the resource ARNs' region (default *)")
      .option('--partition <partition>', "the ARN partition (default aws, or the ARN's)")
      .option('--role-tag <tag>', 'the principal tag that carries a role (default keystage:role)')
      .option(
        '--tagged-role <role>',
        'a role principals are tagged with (repeatable; default every role)',
        collect,
        [],
      )
      .option(
        '--vpc-endpoint <id>',
        'deny reading values except through this VPC endpoint (repeatable)',
        collect,
        [],
      )
      .option('--no-deny-outside-account', 'resource: leave out the statement that denies other accounts')
      .option('--validate', 'resource: check the document with ValidateResourcePolicy'),
  ).action(async (flags: RenderFlags) => {
    if ((flags.iam === true) === (flags.resourceArn !== undefined)) {
      throw new ValidationError(
        '--iam',
        'Render --iam (an identity policy) or --resource-arn ARN (a resource policy), one of the two.',
      );
    }
    if (flags.iam === true && flags.validate === true) {
      throw new ValidationError(
        '--validate',
        '--validate checks resource policies: ValidateResourcePolicy takes no identity policy. Use it with --resource-arn.',
      );
    }
    if (flags.resourceArn !== undefined && flags.arnRegion !== undefined) {
      throw new ValidationError(
        '--arn-region',
        '--arn-region shapes --iam resource ARNs; a resource policy takes its region from --resource-arn.',
      );
    }
    const accessPolicy = await loadPolicy(flags);
    const shared: RenderOptions = {
      ...(flags.roleTag === undefined ? {} : { roleTag: flags.roleTag }),
      ...(flags.taggedRole.length === 0 ? {} : { taggedRoles: flags.taggedRole }),
      ...(flags.vpcEndpoint.length === 0 ? {} : { requireVpcEndpoints: flags.vpcEndpoint }),
    };
    const common = {
      ...(flags.account === undefined ? {} : { account: flags.account }),
      ...(flags.partition === undefined ? {} : { partition: flags.partition }),
    };
    if (flags.iam === true) {
      const rendered = accessPolicy.toIamPolicy({
        ...shared,
        ...common,
        ...(flags.arnRegion === undefined ? {} : { region: flags.arnRegion }),
      });
      context.print({ kind: 'iam', document: rendered.document, unrendered: rendered.unrendered });
      return;
    }
    const arn = flags.resourceArn!;
    const rendered = accessPolicy.toResourcePolicy(arn, {
      ...shared,
      ...common,
      denyOutsideAccount: flags.denyOutsideAccount,
    });
    let validation:
      { passed: boolean; errors: { check: string | null; message: string | null }[] } | undefined;
    if (flags.validate === true) {
      const answer = await context
        .client()
        .secretsManager.send(
          new ValidateResourcePolicyCommand({ ResourcePolicy: JSON.stringify(rendered.document) }),
        )
        .catch((error: unknown) => {
          throw toKeystageError(error, { operation: 'ValidateResourcePolicy', secretId: arn });
        });
      validation = {
        passed: answer.PolicyValidationPassed === true,
        errors: (answer.ValidationErrors ?? []).map((e) => ({
          check: e.CheckName ?? null,
          message: e.ErrorMessage ?? null,
        })),
      };
    }
    context.print({
      kind: 'resource',
      secretArn: arn,
      document: rendered.document,
      unrendered: rendered.unrendered,
      notApplicable: rendered.notApplicable,
      ...(validation === undefined ? {} : { validation }),
    });
    if (validation?.passed === false) context.setExitCode(EXIT_FAILURE);
  });
  withExamples(command, [
    ['keystage policy render --policy policy.json --iam --account 123456789012', 'an identity policy'],
    [
      'keystage policy render --policy policy.json --resource-arn arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/billing/db-AbCdEf --validate',
      "one secret's resource policy, checked by Secrets Manager",
    ],
    [
      'keystage policy render --rbac rbac.json --iam --query unrendered --output table',
      'what IAM cannot enforce',
    ],
  ]);
}

/** `keystage policy check|render`. */
export function registerPolicy(program: Command, context: CliContext): void {
  const policy = program
    .command('policy')
    .summary('check a request against an access policy, or render one as IAM statements')
    .description(
      'Access policies offline: decide a request (check), or render the statements AWS enforces (render).',
    );
  registerCheck(policy, context);
  registerRender(policy, context);
}
