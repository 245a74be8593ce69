import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  InvalidNextTokenException,
  InvalidParameterException,
  ListSecretsCommand,
  type Filter,
  type ListSecretsCommandInput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

let local: LocalFixture;
let sm: SecretsManagerClient;
let clock = 1_800_000_000_000;

beforeAll(async () => {
  // A clock that moves on each call, so creation dates are distinct and ordered.
  local = await startLocal({ now: () => (clock += 1000) });
  sm = local.sm();
});
afterAll(() => local.endpoint.close());

async function create(
  Name: string,
  extra: { Description?: string; Tags?: Array<{ Key: string; Value: string }> } = {},
) {
  return sm.send(new CreateSecretCommand({ Name, SecretString: 'x', ...extra }));
}

/** Every page, in order. */
async function names(input: ListSecretsCommandInput): Promise<string[]> {
  const out: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sm.send(new ListSecretsCommand({ ...input, NextToken }));
    out.push(...(page.SecretList ?? []).map((s) => s.Name!));
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return out;
}

const within = (prefix: string, ...filters: Filter[]): Filter[] => [
  { Key: 'name', Values: [prefix] },
  ...filters,
];

describe('ListSecrets filters, as the API reference describes each key', () => {
  beforeAll(async () => {
    await create('flt/PaymentsGateway', { Description: 'Card payments gateway for EU' });
    await create('flt/orders-db', {
      Description: 'Orders database',
      Tags: [{ Key: 'Team', Value: 'Billing' }],
    });
    await create('flt/plain');
  });

  it('matches description by words, not case-sensitive, each word a prefix of a word', async () => {
    const by = (value: string) => names({ Filters: within('flt/', { Key: 'description', Values: [value] }) });
    expect(await by('gateway')).toEqual(['flt/PaymentsGateway']);
    expect(await by('GATE')).toEqual(['flt/PaymentsGateway']);
    expect(await by('eu card')).toEqual(['flt/PaymentsGateway']);
    expect(await by('way')).toEqual([]);
    expect(await by('!payments')).toEqual(['flt/orders-db', 'flt/plain']);
  });

  it('matches all by words across name, description and tags, not case-sensitive', async () => {
    const by = (value: string) => names({ Filters: within('flt/', { Key: 'all', Values: [value] }) });
    expect(await by('gateway')).toEqual(['flt/PaymentsGateway']);
    expect(await by('billing')).toEqual(['flt/orders-db']);
    expect(await by('ORDERS')).toEqual(['flt/orders-db']);
    expect(await by('team billing')).toEqual(['flt/orders-db']);
  });

  it('matches name, tag-key and tag-value as case-sensitive prefixes', async () => {
    expect(await names({ Filters: [{ Key: 'name', Values: ['flt/Pay'] }] })).toEqual(['flt/PaymentsGateway']);
    expect(await names({ Filters: [{ Key: 'name', Values: ['flt/pay'] }] })).toEqual([]);
    expect(await names({ Filters: within('flt/', { Key: 'tag-key', Values: ['Te'] }) })).toEqual([
      'flt/orders-db',
    ]);
    expect(await names({ Filters: within('flt/', { Key: 'tag-key', Values: ['te'] }) })).toEqual([]);
    expect(await names({ Filters: within('flt/', { Key: 'tag-value', Values: ['Bill'] }) })).toEqual([
      'flt/orders-db',
    ]);
    expect(await names({ Filters: within('flt/', { Key: 'tag-value', Values: ['!Bill'] }) })).toEqual([
      'flt/PaymentsGateway',
      'flt/plain',
    ]);
    expect(
      await names({ Filters: within('flt/', { Key: 'primary-region', Values: ['us-east'] }) }),
    ).toHaveLength(3);
    expect(await names({ Filters: within('flt/', { Key: 'owning-service', Values: ['rds'] }) })).toEqual([]);
  });

  it('ORs the values of one filter and ANDs the filters', async () => {
    expect(
      await names({ Filters: within('flt/', { Key: 'description', Values: ['orders', 'gateway'] }) }),
    ).toEqual(['flt/PaymentsGateway', 'flt/orders-db']);
    expect(
      await names({
        Filters: within(
          'flt/',
          { Key: 'description', Values: ['orders', 'gateway'] },
          { Key: 'tag-key', Values: ['Team'] },
        ),
      }),
    ).toEqual(['flt/orders-db']);
  });
});

describe('ListSecrets order and pages', () => {
  beforeAll(async () => {
    for (const name of ['ord/b', 'ord/c', 'ord/a']) await create(name);
  });

  it('honours SortBy and SortOrder (created-date ascending by default)', async () => {
    const filters = within('ord/');
    expect(await names({ Filters: filters })).toEqual(['ord/b', 'ord/c', 'ord/a']);
    expect(await names({ Filters: filters, SortOrder: 'desc' })).toEqual(['ord/a', 'ord/c', 'ord/b']);
    expect(await names({ Filters: filters, SortBy: 'name' })).toEqual(['ord/a', 'ord/b', 'ord/c']);
    expect(await names({ Filters: filters, SortBy: 'name', SortOrder: 'desc', MaxResults: 1 })).toEqual([
      'ord/c',
      'ord/b',
      'ord/a',
    ]);
  });

  it('refuses MaxResults out of 1..100 and a token that is not one, or is for another order', async () => {
    for (const MaxResults of [0, 101]) {
      await expect(sm.send(new ListSecretsCommand({ MaxResults }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
    }
    await expect(sm.send(new ListSecretsCommand({ NextToken: 'garbage' }))).rejects.toBeInstanceOf(
      InvalidNextTokenException,
    );
    const { NextToken } = await sm.send(new ListSecretsCommand({ MaxResults: 1 }));
    await expect(sm.send(new ListSecretsCommand({ NextToken, SortBy: 'name' }))).rejects.toBeInstanceOf(
      InvalidNextTokenException,
    );
  });

  it('shows secrets scheduled for deletion only with IncludePlannedDeletion', async () => {
    await create('del/kept');
    await create('del/gone');
    await sm.send(new DeleteSecretCommand({ SecretId: 'del/gone', RecoveryWindowInDays: 7 }));
    expect(await names({ Filters: within('del/') })).toEqual(['del/kept']);
    const all = await sm.send(
      new ListSecretsCommand({ Filters: within('del/'), IncludePlannedDeletion: true }),
    );
    expect(all.SecretList?.map((s) => [s.Name, s.DeletedDate !== undefined])).toEqual([
      ['del/kept', false],
      ['del/gone', true],
    ]);
  });

  it.each([
    { SortBy: 'created-date', SortOrder: 'asc' },
    { SortBy: 'name', SortOrder: 'desc' },
  ] as const)(
    'keeps NextToken valid while secrets are created and deleted ($SortBy $SortOrder)',
    async (order) => {
      const prefix = `churn-${order.SortBy}/`;
      const stable: string[] = [];
      for (let i = 0; i < 24; i++) {
        const name = `${prefix}s${String(i).padStart(2, '0')}`;
        await create(name);
        stable.push(name);
      }
      const doomed: string[] = [];
      for (let i = 0; i < 6; i++) {
        const name = `${prefix}d${i}`;
        await create(name);
        doomed.push(name);
      }
      const seen: string[] = [];
      let NextToken: string | undefined;
      let round = 0;
      do {
        const page = await sm.send(
          new ListSecretsCommand({ Filters: within(prefix), MaxResults: 5, NextToken, ...order }),
        );
        seen.push(...(page.SecretList ?? []).map((s) => s.Name!));
        NextToken = page.NextToken;
        // Between pages: new secrets on both sides of the position, and deletions of secrets seen and not.
        await create(`${prefix}a-new${round}`);
        await create(`${prefix}z-new${round}`);
        const victim = doomed.shift();
        if (victim !== undefined)
          await sm.send(new DeleteSecretCommand({ SecretId: victim, ForceDeleteWithoutRecovery: true }));
        round++;
      } while (NextToken !== undefined);
      const stableSeen = seen.filter((name) => stable.includes(name));
      expect(new Set(stableSeen).size).toBe(stableSeen.length);
      expect([...stableSeen].sort()).toEqual(stable);
      expect(new Set(seen).size).toBe(seen.length);
    },
  );
});

describe('BatchGetSecretValue', () => {
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) await create(`batch/s${i}`);
    await create('batch-deleted');
    await sm.send(new DeleteSecretCommand({ SecretId: 'batch-deleted' }));
  });

  it('takes SecretIdList or Filters, not both, and MaxResults only with Filters', async () => {
    const refused = [
      { SecretIdList: ['batch/s0'], Filters: within('batch/') },
      { SecretIdList: ['batch/s0'], MaxResults: 2 },
      {},
    ];
    for (const input of refused) {
      await expect(sm.send(new BatchGetSecretValueCommand(input))).rejects.toBeInstanceOf(
        InvalidParameterException,
      );
    }
    await expect(sm.send(new BatchGetSecretValueCommand({ SecretIdList: [] }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('pages through what the filters choose', async () => {
    const values: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await sm.send(
        new BatchGetSecretValueCommand({ Filters: within('batch/'), MaxResults: 2, NextToken }),
      );
      values.push(...(page.SecretValues ?? []).map((v) => v.Name!));
      expect(page.Errors).toEqual([]);
      NextToken = page.NextToken;
      pages++;
    } while (NextToken !== undefined);
    expect(values).toEqual(['batch/s0', 'batch/s1', 'batch/s2', 'batch/s3', 'batch/s4']);
    expect(pages).toBe(3);
  });

  it('answers a secret it cannot read with an entry in Errors', async () => {
    const out = await sm.send(
      new BatchGetSecretValueCommand({ SecretIdList: ['batch/s1', 'batch-missing', 'batch-deleted'] }),
    );
    expect(out.SecretValues?.map((v) => v.Name)).toEqual(['batch/s1']);
    expect(out.Errors?.map((e) => [e.SecretId, e.ErrorCode])).toEqual([
      ['batch-missing', 'ResourceNotFoundException'],
      ['batch-deleted', 'InvalidRequestException'],
    ]);
  });
});
