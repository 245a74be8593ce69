import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { JsonLinesAuditSink } from '../../audit/json-lines-sink';
import { jsonLinesEvents } from '../../audit/reports/json-lines-source';
import type { AuditRecord } from '../../audit/reports';
import { SecretsClient } from '../../client';
import { startConsole, type RunningConsole } from '../../console';
import { ValidationError, show } from '../../errors';
import { rbacPolicy, type Principal, type RbacEnvironment } from '../../policy';
import type { AwsClientConfig, CliContext } from '../context';
import { withExamples } from '../help';

/** The role names `--role` takes: the RBAC preset's. */
export const CONSOLE_ROLES = ['developer', 'team-lead', 'devops', 'admin'] as const;
/** Where the console's audit trail goes unless the global `--audit-file` says otherwise. */
export const DEFAULT_CONSOLE_AUDIT_LOG = '.keystage/console-audit.jsonl';
export const DEFAULT_CONSOLE_PORT = 8484;

interface ConsoleFlags {
  readonly host?: string;
  readonly port?: string;
  readonly user?: string;
  readonly email?: string;
  readonly role?: string;
  readonly environments?: string;
  readonly auditLog?: string;
}

/** What `keystage console` starts, checked from its flags. */
export interface ConsoleRun {
  readonly aws: AwsClientConfig;
  readonly host: string;
  readonly port: number;
  readonly principal: Principal;
  /** Name prefixes of development, staging and production. */
  readonly environments: Readonly<Record<RbacEnvironment, string>>;
  readonly auditLog: string;
}

const SEGMENT = /^[A-Za-z0-9_.-]{1,64}$/;

/** The flags checked: a bad one is a ValidationError naming it. */
export function consoleRun(flags: ConsoleFlags, aws: AwsClientConfig, env: NodeJS.ProcessEnv): ConsoleRun {
  const port = flags.port === undefined ? DEFAULT_CONSOLE_PORT : Number(flags.port);
  if (!/^\d{1,5}$/.test(flags.port ?? '0') || !(port >= 0 && port <= 65_535)) {
    throw new ValidationError('--port', `--port ${show(flags.port)} must be a port number from 0 to 65535.`);
  }
  const role = flags.role ?? 'developer';
  if (!(CONSOLE_ROLES as readonly string[]).includes(role)) {
    throw new ValidationError('--role', `--role ${show(role)} must be one of ${CONSOLE_ROLES.join(', ')}.`);
  }
  const user = flags.user ?? env.USER ?? 'console-user';
  if (!SEGMENT.test(user)) {
    throw new ValidationError('--user', `--user ${show(user)} must be 1 to 64 of A-Z a-z 0-9 _ . -.`);
  }
  const prefixes = (flags.environments ?? 'dev,staging,prod').split(',').map((part) => part.trim());
  if (prefixes.length !== 3 || !prefixes.every((prefix) => SEGMENT.test(prefix))) {
    throw new ValidationError(
      '--environments',
      `--environments ${show(flags.environments)} must name the first segment of the secret names of development, staging and production, e.g. dev,staging,prod.`,
    );
  }
  const [development = 'dev', staging = 'staging', production = 'prod'] = prefixes;
  return {
    aws,
    host: flags.host ?? '127.0.0.1',
    port,
    principal: {
      id: user,
      ...(flags.email === undefined ? {} : { email: flags.email }),
      service: 'keystage-console',
      environment: 'console',
      roles: [role],
    },
    environments: { development, staging, production },
    auditLog: flags.auditLog ?? DEFAULT_CONSOLE_AUDIT_LOG,
  };
}

/**
 * Starts the console for `run`: a client with the RBAC preset and a JSON-lines audit trail
 * the audit screen reads back. Prints the one-time login URL; runs until SIGINT or SIGTERM.
 * @example
 * const running = await runConsole(consoleRun({ role: 'admin' }, {}, process.env), print, warn);
 */
export async function runConsole(
  run: ConsoleRun,
  print: (line: string) => void,
  warn: (line: string) => void,
  exit: (code: number) => void = (code) => process.exit(code),
): Promise<RunningConsole> {
  mkdirSync(dirname(run.auditLog), { recursive: true });
  // The file exists before the first event, so the audit screen can read it at once.
  appendFileSync(run.auditLog, '');
  const audit = new JsonLinesAuditSink({ file: run.auditLog });
  const policy = rbacPolicy({ environments: run.environments });
  const client = new SecretsClient({
    secretsManagerConfig: run.aws,
    kmsConfig: run.aws,
    policy,
    audit,
    cache: false,
    environment: null,
    service: null,
  });
  const written = jsonLinesEvents({ path: run.auditLog });
  const auditEvents: AsyncIterable<AuditRecord> = {
    async *[Symbol.asyncIterator]() {
      await audit.flush();
      yield* written;
    },
  };
  const running = await startConsole({
    client,
    policy,
    principal: run.principal,
    auditEvents,
    host: run.host,
    port: run.port,
  });
  const close = async (): Promise<void> => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await running.close();
    await audit.close();
    client.close();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    print(`\n${signal}: stopping`);
    void close().then(() => exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (running.warning !== undefined) warn(`warning: ${running.warning}`);
  print(`keystage console at ${running.url}`);
  print(
    `signed in as ${run.principal.id} with role ${run.principal.roles.join(', ')}; audit trail: ${run.auditLog}`,
  );
  print('\nOpen this URL to sign in (it works once, for 5 minutes):');
  print(`    ${running.loginUrl}`);
  return { ...running, newLoginUrl: running.newLoginUrl, close };
}

/** `keystage console`: the web console on 127.0.0.1. */
export function registerConsole(program: Command, context: CliContext): void {
  const command = program
    .command('console')
    .summary('the web console: secrets, versions, audit and rotation health in a browser')
    .description(
      'Serves the console on 127.0.0.1 and prints a one-time login URL (5 minutes). Everything goes ' +
        'through the access policy of the RBAC preset for --user with --role, and is recorded in the ' +
        `JSON-lines audit trail the global --audit-file names (default ${DEFAULT_CONSOLE_AUDIT_LOG}), which the ` +
        'audit screen reads back. Runs until Ctrl-C.',
    )
    .option(
      '--host <address>',
      'address to listen on; anything but loopback is reachable from the network',
      '127.0.0.1',
    )
    .option('--port <port>', `port to listen on, 0 for any free one (default: ${DEFAULT_CONSOLE_PORT})`)
    .option('--user <id>', 'who signs in, as the audit trail records it (default: $USER)')
    .option('--email <email>', 'their email, for the audit trail')
    .option('--role <role>', `their role: ${CONSOLE_ROLES.join(', ')} (default: developer)`)
    .option(
      '--environments <prefixes>',
      'first name segment of development, staging, production (default: dev,staging,prod)',
    );
  command.action(async (flags: ConsoleFlags) => {
    // The trail is the global --audit-file (KEYSTAGE_AUDIT_FILE), as for every command.
    const { auditFile, auditLogGroup } = context.globals();
    if (auditLogGroup !== undefined) {
      throw new ValidationError(
        '--audit-log-group',
        'The console reads its audit trail back for its audit screen, which it does from a file: give --audit-file instead.',
      );
    }
    const given = auditFile === undefined ? flags : { ...flags, auditLog: auditFile };
    await runConsole(consoleRun(given, context.awsConfig(), context.io.env), context.println, context.warn);
    context.setExitCode(-1);
  });
  withExamples(command, [
    ['keystage console --endpoint-url http://127.0.0.1:4599 --role admin', 'against keystage local'],
    ['keystage console --user ana --role developer', 'what a developer sees (no production)'],
  ]);
}
