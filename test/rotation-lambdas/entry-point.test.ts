import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as rotation from '../../rotation-lambdas';
import {
  RotationFailure,
  createRotationHandler,
  type RotationStrategy,
  type RotationValues,
  type StepContext,
} from '../../rotation-lambdas';
import { SecretsManagerModel } from '../support/secrets-manager-model';

// rotation-lambdas/index.ts is the `keystage/rotation` entry: the protocol, every strategy
// factory and the types they name, for rotation functions of your own; nothing internal.

describe('keystage/rotation', () => {
  it('exports the protocol, the strategy factories, the errors and the env readers by name, and nothing else', () => {
    expect(Object.keys(rotation).sort()).toEqual(
      [
        'ErrorFacts',
        'ROTATION_STEPS',
        'RotationConfigError',
        'RotationFailure',
        'RotationStepError',
        'alternatingUsersStrategy',
        'certificateSettingsFromEnv',
        'certificateStrategyFromEnv',
        'connectionSettingsFromEnv',
        'createCertificateStrategy',
        'createGenericStrategy',
        'createRotationHandler',
        'genericStrategyFromEnv',
        'mysqlAlternatingStrategy',
        'mysqlSingleStrategy',
        'passwordPolicyFromEnv',
        'postgresAlternatingStrategy',
        'postgresSingleStrategy',
        'singleUserStrategy',
      ].sort(),
    );
  });

  it('names every export: no export *', () => {
    const source = readFileSync(join(__dirname, '..', '..', 'rotation-lambdas', 'index.ts'), 'utf8');
    expect(source).not.toMatch(/export\s+\*/);
  });

  it('loads neither pg, mysql2 nor @peculiar/x509 on import: each is an optional peer, loaded when first used', () => {
    const loaded: string[] = [];
    jest.isolateModules(() => {
      for (const name of ['pg', 'mysql2/promise', '@peculiar/x509']) {
        jest.doMock(name, () => {
          loaded.push(name);
          return {};
        });
      }
      const fresh = jest.requireActual<typeof rotation>('../../rotation-lambdas');
      fresh.postgresSingleStrategy();
      fresh.mysqlAlternatingStrategy();
      fresh.createCertificateStrategy({ caSecretId: 'prod/pki/ca' });
    });
    expect(loaded).toEqual([]);
  });

  it('runs a strategy written against its types alone through all four steps', async () => {
    const downstream: string[] = [];
    const strategy: RotationStrategy = {
      name: 'custom',
      createValue: (current: string) => `${current}+1`,
      async setSecret({ pending }: RotationValues, { log }: StepContext) {
        downstream.push(pending);
        log.info('registered downstream');
      },
      async testSecret({ pending }: RotationValues) {
        if (!downstream.includes(pending)) throw new RotationFailure('TEST_FAILED', 'not registered');
      },
    };
    const model = new SecretsManagerModel();
    model.create('custom', 'v0');
    const token = model.startRotation('custom');
    const handler = createRotationHandler(strategy, {
      secretsManager: model.client,
      logSink: () => undefined,
    });
    for (const Step of rotation.ROTATION_STEPS)
      await handler({ Step, SecretId: 'custom', ClientRequestToken: token });
    expect(model.value('custom')).toBe('v0+1');
    expect(downstream).toEqual(['v0+1']);
  });
});
