import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretsClient } from '../../../../lib/client';
import type { SecretVersion } from '../../../../lib/client';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';
import { createRotationHandler, genericStrategyFromEnv } from '../../../../rotation-lambdas';
import { cleanUpBuilds, functionFile, genericBundle, tempDir } from '../../../support/rotation-fixtures';

/**
 * The local endpoint with the generic rotation function twice over: in child processes, as
 * Lambda runs it (the bundle `npm run build` makes), and in process (the same strategy and
 * protocol code, for the suites that rotate many times); each also behind a switch that
 * fails testSecret while it is on (a member whose rotation fails).
 */
const lambda = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
export const GENERIC = lambda('rotate-generic');
export const FLAKY = lambda('rotate-flaky');
export const GENERIC_IN_PROCESS = lambda('rotate-generic-in-process');
export const FLAKY_IN_PROCESS = lambda('rotate-flaky-in-process');

export interface GroupFixture {
  readonly local: LocalFixture;
  /** Makes FLAKY's testSecret fail (true) or pass (false). */
  failing(on: boolean): void;
  /** A client over a fresh SDK client. */
  client(): SecretsClient;
  /** A generic secret `name` under `prod/groups/`, its rotation configured with `lambda`. */
  member(name: string, lambda?: string): Promise<{ name: string; arn: string; versionId: string }>;
  close(): Promise<void>;
}

export async function groupFixture(): Promise<GroupFixture> {
  const dir = tempDir('keystage-groups-');
  const flag = join(dir, 'fail-testSecret');
  const flaky = functionFile(
    dir,
    'flaky',
    `const generic = require(${JSON.stringify(genericBundle())});
const { existsSync } = require('node:fs');
exports.handler = async (event, context) => {
  if (event.Step === 'testSecret' && existsSync(process.env.FAIL_FLAG)) {
    throw new Error('testSecret: the pending value was refused');
  }
  return generic.handler(event, context);
};`,
  );
  const local = await startLocal({
    rotationAttempts: 1,
    rotationFunctions: [
      { arn: GENERIC, handler: genericBundle() },
      { arn: FLAKY, handler: flaky, environment: { FAIL_FLAG: flag } },
    ],
  });
  const generic = createRotationHandler(genericStrategyFromEnv({}), {
    secretsManager: local.sm(),
    logSink: () => undefined,
  });
  local.endpoint.registerRotationHandler(GENERIC_IN_PROCESS, generic);
  local.endpoint.registerRotationHandler(FLAKY_IN_PROCESS, async (event) => {
    if ((event as { Step?: unknown }).Step === 'testSecret' && existsSync(flag)) {
      throw new Error('testSecret: the pending value was refused');
    }
    await generic(event);
  });
  const client = () => new SecretsClient({ secretsManager: local.sm() });
  const setup = client();
  return {
    local,
    failing: (on) => {
      if (on) writeFileSync(flag, '');
      else if (existsSync(flag)) rmSync(flag);
    },
    client,
    member: async (name, lambda = GENERIC) => {
      const ref = await setup.create({ name, kind: 'generic', environment: 'prod', service: 'groups' });
      // Rotation configured, not run: RotateImmediately false only tests the configuration.
      await local
        .sm()
        .send(
          new RotateSecretCommand({ SecretId: ref.arn, RotationLambdaARN: lambda, RotateImmediately: false }),
        );
      await local.endpoint.rotationsIdle();
      return ref;
    },
    close: async () => {
      await local.endpoint.close();
      cleanUpBuilds();
    },
  };
}

/** A member's labels in symbols: `initial` (its first version), `run` (the run's token), else `other`. */
export function labels(
  versions: readonly SecretVersion[],
  initial: string,
  run: string | undefined,
): Record<string, string[]> {
  const symbol = (id: string) => (id === initial ? 'initial' : id === run ? 'run' : 'other');
  const shape: Record<string, string[]> = {};
  for (const version of versions) shape[symbol(version.versionId)] = [...version.stages].sort();
  return shape;
}
