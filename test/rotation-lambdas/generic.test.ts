import { isWellFormedApiKey } from '../../lib/generate';
import { createRotationHandler } from '../../rotation-lambdas';
import { RotationConfigError, passwordPolicyFromEnv } from '../../rotation-lambdas/config';
import { createGenericStrategy, genericStrategyFromEnv } from '../../rotation-lambdas/strategies/generic';
import { SecretsManagerModel } from '../support/secrets-manager-model';

async function rotateOnce(strategy: ReturnType<typeof createGenericStrategy>, initial: string) {
  const model = new SecretsManagerModel();
  model.create('s', initial);
  const token = model.startRotation('s');
  const handler = createRotationHandler(strategy, { secretsManager: model.client, logSink: () => undefined });
  for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'])
    await handler({ Step, SecretId: 's', ClientRequestToken: token });
  return model.value('s')!;
}

describe('generic strategy', () => {
  it('generates a well-formed API key with the configured prefix', async () => {
    const value = await rotateOnce(
      createGenericStrategy({ kind: 'api-key', apiKey: { prefix: 'pay' } }),
      'old',
    );
    expect(isWellFormedApiKey(value, { prefix: 'pay' })).toBe(true);
  });

  it('generates a 256-bit symmetric key as base64', async () => {
    const value = await rotateOnce(createGenericStrategy({ kind: 'symmetric-key' }), 'old');
    expect(Buffer.from(value, 'base64')).toHaveLength(32);
    expect(Buffer.from(value, 'base64').toString('base64')).toBe(value);
  });

  it('rotates one field of a JSON secret and keeps the others', async () => {
    const value = await rotateOnce(
      createGenericStrategy({ kind: 'password', jsonField: 'token', password: { length: 40 } }),
      JSON.stringify({ user: 'svc', token: 'old', extra: { keep: true } }),
    );
    const parsed = JSON.parse(value) as { user: string; token: string; extra: unknown };
    expect(parsed.user).toBe('svc');
    expect(parsed.extra).toEqual({ keep: true });
    expect(parsed.token).toHaveLength(40);
  });

  it('refuses a JSON field rotation of a value that is not a JSON object', async () => {
    await expect(
      rotateOnce(createGenericStrategy({ kind: 'password', jsonField: 'token' }), 'not json'),
    ).rejects.toMatchObject({ reason: 'INVALID_SECRET', step: 'createSecret' });
    await expect(
      rotateOnce(createGenericStrategy({ kind: 'password', jsonField: 'token' }), '[1,2]'),
    ).rejects.toMatchObject({ reason: 'INVALID_SECRET' });
  });

  it('runs the apply hook in setSecret and the test hook in testSecret with the new value only', async () => {
    const applied: string[] = [];
    const tested: string[] = [];
    const value = await rotateOnce(
      createGenericStrategy({
        kind: 'api-key',
        apply: async (v) => void applied.push(v),
        test: async (v) => void tested.push(v),
      }),
      'old',
    );
    expect(applied).toEqual([value]);
    expect(tested).toEqual([value]);
  });

  it('refuses an unknown kind', () => {
    expect(() => createGenericStrategy({ kind: 'pin' as never })).toThrow(RotationConfigError);
  });

  describe('configuration from the environment', () => {
    it('reads GENERIC_KIND, JSON_FIELD and API_KEY_PREFIX', async () => {
      const strategy = genericStrategyFromEnv({
        GENERIC_KIND: 'api-key',
        JSON_FIELD: 'key',
        API_KEY_PREFIX: 'ops',
      });
      expect(strategy.name).toBe('generic:api-key:key');
      const value = await rotateOnce(strategy as ReturnType<typeof createGenericStrategy>, '{"key":"old"}');
      expect(isWellFormedApiKey((JSON.parse(value) as { key: string }).key, { prefix: 'ops' })).toBe(true);
    });

    it('defaults to a password with the safe policy', () => {
      expect(genericStrategyFromEnv({}).name).toBe('generic:password');
      expect(passwordPolicyFromEnv({})).toEqual({});
    });

    it.each([
      [{ GENERIC_KIND: 'nope' }, 'GENERIC_KIND'],
      [{ PASSWORD_LENGTH: 'twelve' }, 'PASSWORD_LENGTH'],
      [{ PASSWORD_LENGTH: '4' }, 'PASSWORD_LENGTH'],
      [{ PASSWORD_LENGTH: '16', EXCLUDE_CHARACTERS: 'abcdefghijklmnopqrstuvwxyz' }, 'EXCLUDE_CHARACTERS'],
    ])('rejects %p naming %s', (env, variable) => {
      expect(() => genericStrategyFromEnv(env)).toThrow(expect.objectContaining({ variable }));
    });
  });
});
