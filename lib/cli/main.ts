#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isKeystageError } from '../errors';
import { readRotationConfig, rotationFunctionFlag, runLocal } from './local-command';
import { runTour } from './tour';

const USAGE = `usage: keystage <command>

commands:
  local [--port N] [--data-dir DIR] [--in-memory]   run the local Secrets Manager + KMS endpoint
        [--rotation-function ARN=PATH]...           run PATH (a built handler, e.g.
                                                    dist/rotation-lambdas/generic/index.js) when
                                                    RotateSecret names the Lambda ARN
        [--rotation-config FILE]                    rotation functions from a JSON file:
                                                    {"functions": [{"arn", "handler",
                                                    "environment", "timeoutSeconds"}]}
  tour                                              a scripted tour against an in-process endpoint
`;

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** The `keystage` command. Returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'tour') {
    await runTour(print);
    return 0;
  }
  if (command === 'local') {
    const { values } = parseArgs({
      args: [...rest],
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'in-memory': { type: 'boolean' },
        'rotation-function': { type: 'string', multiple: true },
        'rotation-config': { type: 'string' },
      },
      strict: true,
    });
    const rotationFunctions = [
      ...(values['rotation-function'] ?? []).map(rotationFunctionFlag),
      ...(values['rotation-config'] === undefined ? [] : readRotationConfig(values['rotation-config'])),
    ];
    await runLocal(
      {
        port: values.port === undefined ? 4599 : Number(values.port),
        ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
        inMemory: values['in-memory'] ?? false,
        ...(rotationFunctions.length === 0 ? {} : { rotationFunctions }),
      },
      print,
    );
    return -1;
  }
  process.stderr.write(USAGE);
  return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `keystage: ${isKeystageError(error) ? `${error.code}: ${error.message}` : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
