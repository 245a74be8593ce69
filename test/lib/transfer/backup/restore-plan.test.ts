import type { BackupRecord, BackupVersion } from '../../../../lib/transfer/backup/backup-record';
import { BackupValue } from '../../../../lib/transfer/backup/backup-value';
import { LabelModel } from '../../../../lib/transfer/backup/labels';
import {
  planRemoval,
  planRestore,
  planRevert,
  samePolicy,
  sameRotation,
  writeOrder,
} from '../../../../lib/transfer/backup/restore-plan';
import type { SecretState } from '../../../../lib/transfer/backup/secret-state';

const id = (tag: string): string => `${tag}-00000000-0000-4000-8000-000000000000`.slice(0, 36);

function version(tag: string, day: number, ...stages: string[]): BackupVersion {
  return {
    versionId: id(tag),
    stages,
    createdAt: new Date(Date.UTC(2026, 0, day)),
    value: BackupValue.text(`value of ${tag}`),
  };
}

function record(versions: BackupVersion[], extra: Partial<BackupRecord> = {}): BackupRecord {
  return {
    name: 'prod/app/x',
    arn: 'arn',
    tags: {},
    rotation: { enabled: false },
    replicas: [],
    versions,
    ...extra,
  };
}

function state(
  versions: Array<[tag: string, ...stages: string[]]>,
  extra: Partial<SecretState> = {},
): SecretState {
  return {
    name: 'prod/app/x',
    arn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/app/x-AbCdEf',
    description: undefined,
    kmsKeyId: undefined,
    tags: {},
    policy: undefined,
    rotation: { enabled: false },
    replicas: [],
    versions: versions.map(([tag, ...stages]) => ({ versionId: id(tag), stages, createdAt: undefined })),
    deletionDate: undefined,
    ...extra,
  };
}

describe('LabelModel', () => {
  it('moves AWSPREVIOUS with AWSCURRENT and makes a first version current whatever was asked', () => {
    const model = new LabelModel(new Map());
    model.put('a', ['blue']);
    expect(Object.fromEntries(model.labels)).toEqual({ AWSCURRENT: 'a', blue: 'a' });
    model.put('b', ['AWSCURRENT']);
    model.put('c', ['AWSCURRENT']);
    expect(Object.fromEntries(model.labels)).toEqual({ AWSCURRENT: 'c', AWSPREVIOUS: 'b', blue: 'a' });
  });
});

describe('writeOrder', () => {
  it('writes oldest first, the AWSCURRENT version last', () => {
    const rolledBack = record([
      version('a', 1, 'AWSCURRENT'),
      version('b', 2, 'AWSPREVIOUS'),
      version('c', 3, 'blue'),
    ]);
    expect(writeOrder(rolledBack).map((one) => one.versionId)).toEqual([id('b'), id('c'), id('a')]);
  });
});

describe('planRestore', () => {
  it('creates a missing secret with its oldest version and lets AWSCURRENT move AWSPREVIOUS', () => {
    const steps = planRestore(
      record([version('a', 1, 'AWSPREVIOUS'), version('b', 2, 'AWSCURRENT')]),
      undefined,
    );
    expect(steps).toEqual([
      { type: 'create', versionId: id('a'), tags: {}, replicas: [] },
      { type: 'put-version', versionId: id('b'), stages: ['AWSCURRENT'] },
    ]);
  });

  it('moves labels where writing alone cannot put them: no AWSPREVIOUS, a custom label on the first version', () => {
    const steps = planRestore(record([version('a', 1, 'blue'), version('b', 2, 'AWSCURRENT')]), undefined);
    expect(steps.slice(1)).toEqual([
      { type: 'put-version', versionId: id('b'), stages: ['AWSCURRENT'] },
      { type: 'move-label', label: 'AWSPREVIOUS', from: id('a') },
      { type: 'move-label', label: 'blue', to: id('a') },
    ]);
  });

  it('writes only the versions the target lacks, then moves labels by compare-and-swap and drops stray ones', () => {
    const target = state(
      [
        ['t', 'AWSCURRENT', 'green'],
        ['a', 'AWSPREVIOUS'],
      ],
      { tags: { old: '1', keep: 'x' } },
    );
    const steps = planRestore(
      record([version('a', 1, 'AWSPREVIOUS'), version('b', 2, 'AWSCURRENT')], {
        tags: { keep: 'x', owner: 'me' },
      }),
      target,
    );
    expect(steps).toEqual([
      { type: 'put-version', versionId: id('b'), stages: ['AWSCURRENT'] },
      { type: 'move-label', label: 'AWSPREVIOUS', to: id('a'), from: id('t') },
      { type: 'move-label', label: 'green', from: id('t') },
      { type: 'tag', tags: { owner: 'me' } },
      { type: 'untag', keys: ['old'] },
    ]);
  });

  it('leaves a target that matches alone, whatever the spelling of its policy', () => {
    const policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"x","Resource":"*"}]}';
    const spelled =
      '{ "Statement": [ { "Resource": "*", "Action": "x", "Effect": "Allow" } ], "Version": "2012-10-17" }';
    const steps = planRestore(
      record([version('a', 1, 'AWSCURRENT')], {
        policy,
        rotation: { enabled: true, lambdaArn: 'arn:f', automaticallyAfterDays: 7 },
      }),
      state([['a', 'AWSCURRENT']], {
        policy: spelled,
        rotation: { enabled: true, lambdaArn: 'arn:f', automaticallyAfterDays: 7 },
      }),
    );
    expect(steps).toEqual([]);
  });

  it('replaces a replica on another key, adds missing ones and removes extra ones', () => {
    const steps = planRestore(
      record([version('a', 1, 'AWSCURRENT')], {
        replicas: [{ region: 'eu-west-1', kmsKeyId: 'alias/k' }, { region: 'us-west-2' }],
      }),
      state([['a', 'AWSCURRENT']], { replicas: [{ region: 'eu-west-1' }, { region: 'ap-south-1' }] }),
    );
    expect(steps).toEqual([
      { type: 'remove-replicas', regions: ['eu-west-1', 'ap-south-1'] },
      {
        type: 'replicate',
        replicas: [{ region: 'eu-west-1', kmsKeyId: 'alias/k' }, { region: 'us-west-2' }],
      },
    ]);
  });

  it('changes description and key first, and rotation last', () => {
    const steps = planRestore(
      record([version('a', 1, 'AWSCURRENT'), version('b', 2, 'blue')], {
        description: 'd',
        rotation: { enabled: false },
      }),
      state([['a', 'AWSCURRENT']], { kmsKeyId: 'alias/k', rotation: { enabled: true, lambdaArn: 'arn:f' } }),
    );
    expect(steps.map((step) => step.type)).toEqual(['update-metadata', 'put-version', 'cancel-rotation']);
    expect(steps[0]).toEqual({
      type: 'update-metadata',
      description: 'd',
      kmsKeyId: 'alias/aws/secretsmanager',
    });
  });
});

describe('planRevert', () => {
  it('moves AWSCURRENT back to the prior current and AWSPREVIOUS to the prior previous', () => {
    const prior = state([
      ['p', 'AWSPREVIOUS'],
      ['t', 'AWSCURRENT'],
    ]);
    const now = state([['p'], ['t', 'AWSPREVIOUS'], ['b', 'AWSCURRENT']]);
    expect(planRevert(prior, now, () => 0)).toEqual([
      { type: 'move-label', label: 'AWSCURRENT', to: id('t'), from: id('b') },
      { type: 'move-label', label: 'AWSPREVIOUS', to: id('p'), from: id('b') },
    ]);
  });

  it('schedules a cancelled deletion again with the days that were left, 7 at least', () => {
    const day = 86_400_000;
    const prior = state([['t', 'AWSCURRENT']], { deletionDate: new Date(20 * day) });
    const now = state([['t', 'AWSCURRENT']]);
    expect(planRevert(prior, now, () => 9.5 * day)).toEqual([
      { type: 'schedule-deletion', recoveryWindowDays: 11 },
    ]);
    expect(planRevert(prior, now, () => 19 * day)).toEqual([
      { type: 'schedule-deletion', recoveryWindowDays: 7 },
    ]);
  });
});

describe('planRemoval', () => {
  const written = new Set([id('a'), id('b')]);

  it('removes replicas, then deletes without recovery, a secret holding only what the restore wrote', () => {
    const now = state(
      [
        ['a', 'AWSPREVIOUS'],
        ['b', 'AWSCURRENT'],
        ['r', 'AWSPENDING'],
      ],
      { replicas: [{ region: 'eu-west-1' }] },
    );
    expect(planRemoval(now, written)).toEqual([
      { type: 'remove-replicas', regions: ['eu-west-1'] },
      { type: 'delete' },
    ]);
  });

  it('refuses to delete a secret that received a version from someone else', () => {
    expect(planRemoval(state([['a', 'AWSPREVIOUS'], ['b'], ['z', 'AWSCURRENT']]), written)).toBeUndefined();
  });
});

describe('sameRotation and samePolicy', () => {
  it('treats rotation that is off as off, whatever function it still names', () => {
    expect(sameRotation({ enabled: false, lambdaArn: 'arn:f' }, { enabled: false })).toBe(true);
    expect(sameRotation({ enabled: true, lambdaArn: 'arn:f' }, { enabled: true, lambdaArn: 'arn:g' })).toBe(
      false,
    );
  });

  it('compares policies as JSON, and a policy with none', () => {
    expect(samePolicy('{"a":1,"b":[2]}', '{"b":[2],"a":1}')).toBe(true);
    expect(samePolicy('{"a":1}', undefined)).toBe(false);
  });
});
