import { createRotationHandler, RotationFailure, type RotationStrategy } from '../../rotation-lambdas';
import { RotationStepError } from '../../rotation-lambdas/errors';
import { createGenericStrategy } from '../../rotation-lambdas/strategies/generic';
import { SecretsManagerModel } from '../support/secrets-manager-model';

const NAME = 'prod/app/api-key';

function setup(strategy: RotationStrategy = createGenericStrategy({ kind: 'api-key' })) {
  const model = new SecretsManagerModel();
  const arn = model.create(NAME, 'ks_initial');
  const lines: string[] = [];
  const handler = createRotationHandler(strategy, {
    secretsManager: model.client,
    logSink: (l) => lines.push(l),
  });
  const token = model.startRotation(NAME);
  const step = (Step: string, extra: object = {}) =>
    handler({ Step, SecretId: arn, ClientRequestToken: token, RotationToken: 'opaque', ...extra });
  const rotate = async () => {
    for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await step(s);
  };
  return { model, arn, token, lines, handler, step, rotate };
}

async function failure(promise: Promise<unknown>): Promise<RotationStepError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RotationStepError);
    return error as RotationStepError;
  }
  throw new Error('expected the step to fail');
}

describe('rotation protocol', () => {
  it('rotates through the four steps: the new value is AWSCURRENT, the old one AWSPREVIOUS', async () => {
    const { model, token, rotate } = setup();
    await rotate();
    const current = model.value(NAME)!;
    expect(current).toMatch(/^ks_/);
    expect(current).not.toBe('ks_initial');
    expect(model.value(NAME, 'AWSPREVIOUS')).toBe('ks_initial');
    expect(model.stages(NAME)[token]).toContain('AWSCURRENT');
    expect(model.complete(NAME)).toBe(true);
  });

  it('stores a value on the empty pending placeholder (RELIABILITY 2)', async () => {
    const { model, step } = setup();
    expect(model.value(NAME, 'AWSPENDING')).toBeUndefined();
    await step('createSecret');
    expect(model.value(NAME, 'AWSPENDING')).toMatch(/^ks_/);
  });

  it('leaves the pending value alone when createSecret runs again (RELIABILITY 1)', async () => {
    const { model, step } = setup();
    await step('createSecret');
    const pending = model.value(NAME, 'AWSPENDING');
    const versions = Object.keys(model.stages(NAME)).length;
    const writes = model.writes();
    await step('createSecret');
    await step('createSecret');
    expect(model.value(NAME, 'AWSPENDING')).toBe(pending);
    expect(Object.keys(model.stages(NAME))).toHaveLength(versions);
    expect(model.writes()).toBe(writes);
  });

  it('survives a createSecret whose PutSecretValue landed but whose answer was lost', async () => {
    const { model, step } = setup();
    model.after = (operation) => {
      if (operation === 'PutSecretValue')
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    };
    await expect(step('createSecret')).rejects.toMatchObject({ reason: 'SECRETS_MANAGER_ERROR' });
    model.after = undefined;
    const stored = model.value(NAME, 'AWSPENDING');
    await step('createSecret');
    expect(model.value(NAME, 'AWSPENDING')).toBe(stored);
  });

  it('keeps AWSCURRENT when testSecret fails, and completes on the next attempt with the same token (RELIABILITY 5)', async () => {
    let refuse = true;
    const strategy = createGenericStrategy({
      kind: 'password',
      test: async () => {
        if (refuse) throw new Error('provider says no');
      },
    });
    const { model, token, step } = setup(strategy);
    await step('createSecret');
    await step('setSecret');
    const error = await failure(step('testSecret'));
    expect(error).toMatchObject({ step: 'testSecret', reason: 'TEST_FAILED', code: 'ROTATION_STEP_FAILED' });
    expect(model.value(NAME)).toBe('ks_initial');
    refuse = false;
    for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) await step(s);
    expect(model.stages(NAME)[token]).toContain('AWSCURRENT');
  });

  it('makes finishSecret a no-op once it has succeeded (RELIABILITY 6)', async () => {
    const { model, step, rotate } = setup();
    await rotate();
    const before = JSON.stringify(model.stages(NAME));
    const writes = model.writes();
    for (const s of ['finishSecret', 'finishSecret', 'createSecret', 'setSecret', 'testSecret'])
      await step(s);
    expect(JSON.stringify(model.stages(NAME))).toBe(before);
    expect(model.writes()).toBe(writes);
    expect(model.complete(NAME)).toBe(true);
  });

  it('loses the compare-and-swap to a manual PutSecretValue during finishSecret and changes no label (RELIABILITY 7)', async () => {
    const { model, step, token } = setup();
    for (const s of ['createSecret', 'setSecret', 'testSecret']) await step(s);
    let afterManualPut = '';
    model.before = (operation) => {
      if (operation !== 'UpdateSecretVersionStage') return;
      model.before = undefined;
      model.call('PutSecretValue', { SecretId: NAME, SecretString: 'ks_manual' });
      afterManualPut = JSON.stringify(model.stages(NAME));
    };
    const error = await failure(step('finishSecret'));
    expect(error).toMatchObject({ step: 'finishSecret', reason: 'STAGE_CONFLICT' });
    expect(JSON.stringify(model.stages(NAME))).toBe(afterManualPut);
    expect(model.value(NAME)).toBe('ks_manual');
    // Secrets Manager retries the step; it reads the new holder and completes.
    await step('finishSecret');
    expect(model.stages(NAME)[token]).toContain('AWSCURRENT');
    expect(model.value(NAME, 'AWSPREVIOUS')).toBe('ks_manual');
  });

  describe('refuses bad events with no side effect (RELIABILITY 8)', () => {
    it.each([
      ['an unknown Step', { Step: 'dropSecret' }, 'INVALID_EVENT'],
      ['a missing SecretId', { SecretId: undefined }, 'INVALID_EVENT'],
      ['an empty token', { ClientRequestToken: '' }, 'INVALID_EVENT'],
      ['a token that is no version', { ClientRequestToken: 'f'.repeat(36) }, 'TOKEN_NOT_FOUND'],
    ])('%s', async (_what, override, reason) => {
      const { model, arn, token, handler } = setup();
      const writes = model.writes();
      const event = { Step: 'createSecret', SecretId: arn, ClientRequestToken: token, ...override };
      expect(await failure(handler(event))).toMatchObject({ reason });
      expect(model.writes()).toBe(writes);
    });

    it('a non-object event', async () => {
      const { handler } = setup();
      expect(await failure(handler('createSecret'))).toMatchObject({
        reason: 'INVALID_EVENT',
        step: 'unknown',
      });
      expect(await failure(handler(null))).toMatchObject({ reason: 'INVALID_EVENT' });
    });

    it('a token that is not AWSPENDING', async () => {
      const { model, step, rotate } = setup();
      await rotate();
      const old = Object.entries(model.stages(NAME)).find(([, s]) => s.includes('AWSPREVIOUS'))![0];
      const writes = model.writes();
      expect(await failure(step('setSecret', { ClientRequestToken: old }))).toMatchObject({
        reason: 'TOKEN_NOT_PENDING',
      });
      expect(model.writes()).toBe(writes);
    });

    it('rotation disabled', async () => {
      const { model, step } = setup();
      model.call('CancelRotateSecret', { SecretId: NAME });
      const writes = model.writes();
      expect(await failure(step('createSecret'))).toMatchObject({ reason: 'ROTATION_DISABLED' });
      expect(model.writes()).toBe(writes);
    });

    it('accepts unknown extra keys', async () => {
      const { model, step } = setup();
      await step('createSecret', { Extra: { nested: true }, RotationToken: 'x' });
      expect(model.value(NAME, 'AWSPENDING')).toMatch(/^ks_/);
    });
  });

  it('refuses the other steps until createSecret stored a value', async () => {
    const { step } = setup();
    expect(await failure(step('setSecret'))).toMatchObject({ reason: 'INVALID_SECRET', step: 'setSecret' });
  });

  it('classifies a Secrets Manager failure and keeps its name', async () => {
    const { model, step } = setup();
    model.before = (operation) => {
      if (operation === 'DescribeSecret')
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    const error = await failure(step('createSecret'));
    expect(error).toMatchObject({ reason: 'SECRETS_MANAGER_ERROR' });
    expect(error.message).toContain('ThrottlingException');
  });

  it('hides the message of an unclassified error, which may quote a value', async () => {
    const strategy: RotationStrategy = {
      name: 'leaky',
      createValue: () => 'new-value',
      setSecret: async (values) => {
        throw new TypeError(`cannot use ${values.pending}`);
      },
      testSecret: async () => undefined,
    };
    const { step, lines } = setup(strategy);
    await step('createSecret');
    const error = await failure(step('setSecret'));
    expect(error).toMatchObject({ reason: 'UNEXPECTED_ERROR' });
    expect(error.message).not.toContain('new-value');
    expect(JSON.stringify(error)).not.toContain('new-value');
    expect(lines.join('\n')).not.toContain('new-value');
  });

  it('writes one JSON line per step with ids and no value (RELIABILITY 13)', async () => {
    const { model, lines, rotate, token } = setup();
    await rotate();
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map((l) => l.step)).toEqual(
      expect.arrayContaining(['createSecret', 'setSecret', 'testSecret', 'finishSecret']),
    );
    expect(parsed.every((l) => l.token === token && typeof l.secretId === 'string')).toBe(true);
    const all = lines.join('\n');
    expect(all).not.toContain(model.value(NAME)!);
    expect(all).not.toContain('ks_initial');
  });

  it('logs a failed step with its reason', async () => {
    const { model, lines, step } = setup();
    model.call('CancelRotateSecret', { SecretId: NAME });
    await failure(step('createSecret'));
    const last = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({
      level: 'error',
      step: 'createSecret',
      reason: 'ROTATION_DISABLED',
      code: 'ROTATION_STEP_FAILED',
    });
  });

  it('passes a strategy failure on with the step it happened in', async () => {
    const strategy: RotationStrategy = {
      name: 'refusing',
      createValue: () => {
        throw new RotationFailure('INVALID_SECRET', 'AWSCURRENT is not usable.');
      },
      setSecret: async () => undefined,
      testSecret: async () => undefined,
    };
    const { step } = setup(strategy);
    const error = await failure(step('createSecret'));
    expect(error).toMatchObject({ step: 'createSecret', reason: 'INVALID_SECRET' });
    expect(error.message).toBe('createSecret failed (INVALID_SECRET): AWSCURRENT is not usable.');
  });
});
