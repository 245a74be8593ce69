import { Duration } from 'aws-cdk-lib';
import { RotationStrategy } from '../../../infra';
import {
  databaseTimeoutsFromEnv,
  genericSettingsFromEnv,
  passwordPolicyFromEnv,
} from '../../../rotation-lambdas/config';
import { connectionSettingsFromEnv } from '../../../rotation-lambdas/db/secret';
import {
  ROTATION_VARIABLES,
  RotationConfigError,
  readRotationSettings,
  renderRotationEnvironment,
} from '../../../rotation-lambdas/environment';
import { genericStrategyFromEnv } from '../../../rotation-lambdas/strategies/generic';
import { propsError } from '../../support/props-error';

// The rotation environment contract from both sides: what RotationStrategy renders into a
// function's environment is what the functions read back, and both refuse the same values.

const NAMES = Object.values(ROTATION_VARIABLES).map((variable) => variable.name);

describe('the rotation environment contract', () => {
  it('names every variable once', () => {
    expect(new Set(NAMES).size).toBe(NAMES.length);
  });

  it('renders only variables it names', () => {
    const strategies = [
      RotationStrategy.generic({
        kind: 'api-key',
        jsonField: 'key',
        apiKeyPrefix: 'acme',
        passwordLength: 20,
      }),
      RotationStrategy.mysqlSingle({ excludeCharacters: '/', connectTimeout: Duration.seconds(1) }),
      RotationStrategy.postgresSingle({ queryTimeout: Duration.seconds(2) }),
    ];
    for (const strategy of strategies) {
      expect(Object.keys(strategy.environment).filter((name) => !NAMES.includes(name))).toEqual([]);
    }
  });

  it('gives a database function back the settings the construct rendered', () => {
    const env = RotationStrategy.postgresSingle({
      passwordLength: 48,
      excludeCharacters: '/@"',
      connectTimeout: Duration.seconds(3),
      queryTimeout: Duration.millis(8500),
    }).environment;
    expect({
      password: passwordPolicyFromEnv(env),
      timeouts: databaseTimeoutsFromEnv(env),
      settings: connectionSettingsFromEnv(env),
    }).toEqual({
      password: { length: 48, excludeCharacters: '/@"' },
      timeouts: { connectTimeoutMs: 3000, queryTimeoutMs: 8500 },
      settings: { connectTimeoutMs: 3000, queryTimeoutMs: 8500 },
    });
  });

  it('gives the generic function back the settings the construct rendered', () => {
    const env = RotationStrategy.generic({
      kind: 'api-key',
      jsonField: 'token',
      apiKeyPrefix: 'acme',
    }).environment;
    expect(genericSettingsFromEnv(env)).toEqual({
      kind: 'api-key',
      jsonField: 'token',
      apiKeyPrefix: 'acme',
      password: {},
    });
    expect(genericStrategyFromEnv(env).name).toBe('generic:api-key:token');
  });

  it('applies the same defaults the construct documents when nothing is rendered', () => {
    const env = RotationStrategy.mysqlSingle().environment;
    expect(databaseTimeoutsFromEnv(env)).toEqual({ connectTimeoutMs: 5000, queryTimeoutMs: 10000 });
    expect(genericSettingsFromEnv(RotationStrategy.generic().environment).kind).toBe('password');
  });

  it('round-trips every setting through render and read', () => {
    const settings = {
      passwordLength: 16,
      excludeCharacters: '',
      genericKind: 'api-key',
      jsonField: 'a field',
      apiKeyPrefix: 'ops',
      connectTimeoutMs: 1,
      queryTimeoutMs: 2 ** 31 - 1,
      caCertificatesFile: '/etc/ssl/rds.pem',
    } as const;
    expect(readRotationSettings(renderRotationEnvironment(settings))).toEqual(settings);
  });

  it.each<[string, () => unknown, Record<string, string>, string]>([
    [
      'a password policy with no characters left',
      () => RotationStrategy.generic({ excludeCharacters: 'abcdefghijklmnopqrstuvwxyz', passwordLength: 16 }),
      { PASSWORD_LENGTH: '16', EXCLUDE_CHARACTERS: 'abcdefghijklmnopqrstuvwxyz' },
      'EXCLUDE_CHARACTERS',
    ],
    [
      'a short password',
      () => RotationStrategy.mysqlSingle({ passwordLength: 7 }),
      { PASSWORD_LENGTH: '7' },
      'PASSWORD_LENGTH',
    ],
    [
      'an API key prefix with a capital',
      () => RotationStrategy.generic({ kind: 'api-key', apiKeyPrefix: 'Ops' }),
      { GENERIC_KIND: 'api-key', API_KEY_PREFIX: 'Ops' },
      'API_KEY_PREFIX',
    ],
    [
      'an API key prefix for a password',
      () => RotationStrategy.generic({ apiKeyPrefix: 'ops' }),
      { API_KEY_PREFIX: 'ops' },
      'API_KEY_PREFIX',
    ],
  ])('refuses %s on both sides with the same problem', (_what, deploy, env, variable) => {
    const atSynthesis = propsError(deploy);
    let atStart: unknown;
    try {
      genericSettingsFromEnv(env);
      passwordPolicyFromEnv(env);
    } catch (error) {
      atStart = error;
    }
    expect(atStart).toBeInstanceOf(RotationConfigError);
    const { problem } = atStart as RotationConfigError;
    expect({
      variable: (atStart as RotationConfigError).variable,
      field: (atStart as RotationConfigError).field,
    }).toEqual({
      variable,
      field: variable,
    });
    expect(atSynthesis.message).toContain(problem);
  });
});
