import { userInfo } from 'node:os';
import { CloudWatchLogsAuditSink } from '../audit/cloudwatch-logs-sink';
import { JsonLinesAuditSink } from '../audit/json-lines-sink';
import { SecretsClient } from '../client';
import type { AuditSink } from '../audit/audit-event';
import type { Principal } from '../policy/principal';
import { ValidationError } from '../errors';
import { EXIT_FAILURE } from './exit-codes';
import { globalOptions, type GlobalOptions } from './global-options';
import type { CliIo } from './io';
import { plain, query, render, renderLine, type Plain, type TableView } from './output';
import { progressFor, type Progress } from './progress';
import { ask } from './prompt';
import { styleFor, type Style } from './style';

/** The SDK configuration the global options ask for, to build any AWS SDK client the same way. */
export interface AwsClientConfig {
  readonly region?: string;
  readonly endpoint?: string;
  readonly profile?: string;
}

/** A destructive change to confirm. */
export interface ConfirmRequest {
  /** The question, e.g. `Delete prod/billing/db?`; ` [y/N]` is added. */
  readonly question: string;
  /** What will change, one line each (names, versions, dates; never a value). */
  readonly changes: readonly string[];
}

/** How `printEach` shows a stream of results. */
export interface EachOptions<T> extends TableView {
  /** The progress label, e.g. `list`. */
  readonly label: string;
  /** How many there will be, when known. @default - unknown */
  readonly total?: number;
  /** The name the progress line shows for an item. @default - none */
  readonly name?: (item: T) => string;
  /** The summary printed on stderr at the end, from the count. @default - none */
  readonly summary?: (count: number) => string;
}

/** What a command module gets: the global options, the client, printing, confirmation, progress. */
export interface CliContext {
  readonly io: CliIo;
  /** True when stdin and stderr are terminals: prompts and progress bars. */
  readonly interactive: boolean;
  /** The global options of this run, checked (call inside an action). */
  globals(): GlobalOptions;
  /**
   * One SecretsClient per run, from the global options; its read cache is off (a run is
   * short). With an audit trail (`--audit-file`, `--audit-log-group`) every call is recorded
   * there, as the operator KEYSTAGE_PRINCIPAL (default: the OS user).
   */
  client(): SecretsClient;
  /**
   * The run's audit trail and the operator it records, for what records events beside the
   * client (the distributor); undefined without `--audit-file` / `--audit-log-group`.
   */
  auditTrail(): { readonly sink: AuditSink; readonly principal: Principal } | undefined;
  /** Writes what the audit trail holds and closes the run's client; main() calls it when a command is done. */
  close(): Promise<void>;
  /** The SDK configuration the global options ask for (region, endpoint, profile). */
  awsConfig(): AwsClientConfig;
  /** Colours for stderr (none off a terminal, with --no-color or NO_COLOR). */
  style(): Style;
  /** Prints one result as --output says, after --query. */
  print(result: unknown, view?: TableView): void;
  /**
   * Prints a stream of results: one NDJSON line per item with --output json and one text line
   * per item with text, as they arrive; a table (or YAML) at the end otherwise; with --query the
   * items are collected and the query applies to the array. Shows progress on a terminal.
   * Resolves to the count.
   */
  printEach<T>(items: AsyncIterable<T> | Iterable<T>, options: EachOptions<T>): Promise<number>;
  /** Writes a secret value to stdout as it is (a newline added on a terminal). get/generate --plain only. */
  printValue(value: string | Uint8Array): void;
  /** A line for a person on stdout, not a result (--output does not apply): `local` and `tour` print so. */
  println(line: string): void;
  /** A note on stderr, unless --quiet. */
  info(line: string): void;
  /** A warning on stderr, even with --quiet. */
  warn(line: string): void;
  /**
   * Confirms a destructive change: prints what will change on stderr, then with --yes goes
   * ahead, on a terminal asks `question [y/N]`, and off one refuses (ValidationError, field
   * `--yes`). Declined: false, after printing that nothing was changed and setting exit code 1.
   */
  confirm(request: ConfirmRequest): Promise<boolean>;
  /** Progress of bulk work on stderr: a redrawn line on a terminal, nothing per item off one. */
  progress(label: string, total?: number): Progress;
  /** The exit code main() returns when the action is done; -1 keeps the process running. */
  setExitCode(code: number): void;
  /** The exit code set so far. */
  exitCode(): number;
}

/**
 * The context of one run of the program. `options` reads the parsed global options (commander's
 * `program.opts()`); they are checked once, on first use. `println` is where `println` lines go.
 * @example
 * const context = createContext(processIo(), () => program.opts());
 */
export function createContext(
  io: CliIo,
  options: () => Readonly<Record<string, unknown>>,
  println: (line: string) => void = (line) => io.stdout.write(`${line}\n`),
): CliContext {
  let globals: GlobalOptions | undefined;
  let client: SecretsClient | undefined;
  let audit: JsonLinesAuditSink | CloudWatchLogsAuditSink | undefined;
  let principal: Principal | undefined;
  let code = 0;
  const checked = (): GlobalOptions => (globals ??= globalOptions(options(), io.env));
  const out = (text: string) => {
    if (text !== '') io.stdout.write(text);
  };
  const note = (line: string) => io.stderr.write(`${line}\n`);
  const style = () => styleFor(io.stderr.isTTY === true, io.env, checked().color);
  const outStyle = () => styleFor(io.stdout.isTTY === true, io.env, checked().color);
  const awsConfig = (): AwsClientConfig => {
    const { region, endpointUrl, profile } = checked();
    return {
      ...(region === undefined ? {} : { region }),
      ...(endpointUrl === undefined ? {} : { endpoint: endpointUrl }),
      ...(profile === undefined ? {} : { profile }),
    };
  };
  const printPlain = (data: Plain, view: TableView | undefined) => {
    const { output, query: expression } = checked();
    out(
      render(query(data, expression), output, {
        ...(view === undefined ? {} : { view }),
        queried: expression !== undefined,
        bold: outStyle().bold,
      }),
    );
  };

  const context: CliContext = {
    io,
    interactive: io.stdin.isTTY === true && io.stderr.isTTY === true,
    globals: checked,
    client() {
      if (client !== undefined) return client;
      const config = awsConfig();
      const { environment } = checked();
      audit = auditSink(checked(), config);
      principal =
        audit === undefined ? undefined : operator(io.env, environment ?? io.env.KEYSTAGE_ENVIRONMENT);
      client = new SecretsClient({
        secretsManagerConfig: config,
        kmsConfig: config,
        cache: false,
        ...(audit === undefined
          ? {}
          : {
              audit,
              // An operator's reads are what an audit trail is for: record each before it is shown.
              auditFailClosed: true,
              principal,
            }),
        // The default clock's timers are unref'd, for a library inside a service; a CLI run
        // waiting on a rotation has nothing else keeping it alive.
        clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
        environment: environment ?? io.env.KEYSTAGE_ENVIRONMENT ?? null,
        service: io.env.KEYSTAGE_SERVICE ?? null,
      });
      return client;
    },
    awsConfig,
    style,
    print(result, view) {
      printPlain(plain(result), view);
    },
    async printEach(items, options) {
      const { output, query: expression, quiet } = checked();
      const progress = progressFor(io.stderr, {
        label: options.label,
        ...(options.total === undefined ? {} : { total: options.total }),
        terminal: io.stderr.isTTY === true,
        quiet,
        style: style(),
      });
      const streams = expression === undefined && (output === 'json' || output === 'text');
      const collected: Plain[] = [];
      let count = 0;
      try {
        for await (const item of items) {
          count += 1;
          const data = plain(item);
          if (streams) out(renderLine(data, output, options));
          else collected.push(data);
          progress.tick(options.name?.(item));
        }
      } finally {
        progress.done(options.summary?.(count));
      }
      if (!streams) printPlain(collected, options);
      return count;
    },
    printValue(value) {
      io.stdout.write(value);
      if (io.stdout.isTTY === true) io.stdout.write('\n');
    },
    println,
    info(line) {
      if (!checked().quiet) note(line);
    },
    warn(line) {
      note(`keystage: ${style().yellow('warning')}: ${line}`);
    },
    async confirm({ question, changes }) {
      const { yes, quiet } = checked();
      if (!quiet || !yes) for (const line of changes) note(line);
      if (yes) return true;
      if (!context.interactive) {
        throw new ValidationError(
          '--yes',
          'This change needs confirmation and stdin is not a terminal to ask on: pass --yes to make it (or --dry-run to see it only).',
        );
      }
      const answer = await ask(io, `${style().bold(question)} [y/N] `);
      if ('line' in answer && /^\s*y(es)?\s*$/i.test(answer.line)) return true;
      note('Not confirmed: nothing was changed.');
      code = EXIT_FAILURE;
      return false;
    },
    progress(label, total) {
      return progressFor(io.stderr, {
        label,
        ...(total === undefined ? {} : { total }),
        terminal: io.stderr.isTTY === true,
        quiet: checked().quiet,
        style: style(),
      });
    },
    setExitCode(next) {
      code = next;
    },
    exitCode: () => code,
    auditTrail() {
      context.client();
      return audit === undefined || principal === undefined ? undefined : { sink: audit, principal };
    },
    async close() {
      client?.close();
      client = undefined;
      const sink = audit;
      audit = undefined;
      await sink?.close();
    },
  };
  return context;
}

/** The audit sink the global options name, if any. */
function auditSink(
  globals: GlobalOptions,
  config: AwsClientConfig,
): JsonLinesAuditSink | CloudWatchLogsAuditSink | undefined {
  if (globals.auditFile !== undefined) return new JsonLinesAuditSink({ file: globals.auditFile });
  if (globals.auditLogGroup !== undefined) {
    return new CloudWatchLogsAuditSink({ logGroupName: globals.auditLogGroup, clientConfig: config });
  }
  return undefined;
}

/** Who the audit trail says ran the command: KEYSTAGE_PRINCIPAL, else the OS user. */
function operator(env: NodeJS.ProcessEnv, environment: string | undefined): Principal {
  let user = env.KEYSTAGE_PRINCIPAL;
  if (user === undefined || user === '') {
    try {
      user = userInfo().username;
    } catch {
      // No passwd entry for this uid (a container): the trail still says it was the CLI.
      user = 'unknown';
    }
  }
  return { id: user, service: 'keystage-cli', environment: environment ?? 'any', roles: [] };
}
