import {
  CreateSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  ResourceNotFoundException,
  ValidateResourcePolicyCommand,
} from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import { parsePolicy } from '../../../lib/local/secrets-manager/policy';
import { wildcardMatch } from '../../../lib/local/secrets-manager/wildcard';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

/** The definition, by dynamic programming: obviously right, quadratic, for small inputs only. */
function reference(pattern: string, text: string): boolean {
  const m = pattern.length;
  const n = text.length;
  let row = Array.from({ length: n + 1 }, (_, j) => j === 0);
  for (let i = 1; i <= m; i++) {
    const p = pattern[i - 1];
    const next = Array.from({ length: n + 1 }, () => false);
    next[0] = p === '*' && row[0]!;
    for (let j = 1; j <= n; j++) {
      next[j] = p === '*' ? row[j]! || next[j - 1]! : row[j - 1]! && (p === '?' || p === text[j - 1]);
    }
    row = next;
  }
  return row[n]!;
}

describe('wildcardMatch', () => {
  it('agrees with the definition on small patterns and texts', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '*', '?'), maxLength: 10 }),
        fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 12 }),
        (pattern, text) => wildcardMatch(pattern, text) === reference(pattern, text),
      ),
      { numRuns: 20_000 },
    );
  });

  it('agrees on texts made from the pattern (mostly matches)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: fc.constantFrom('a', 'b', '?'), maxLength: 3 }), fc.boolean()), {
          maxLength: 6,
        }),
        fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 3 }),
        (parts, filler) => {
          const pattern = parts.map(([part, star]) => (star ? `*${part}` : part)).join('');
          const text = parts.map(([part, star]) => (star ? filler : '') + part.replaceAll('?', 'b')).join('');
          return wildcardMatch(pattern, text) === reference(pattern, text) && wildcardMatch(pattern, text);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('matches IAM actions case-insensitively when asked', () => {
    expect(wildcardMatch('secretsmanager:Get*', 'SecretsManager:GetSecretValue', { ignoreCase: true })).toBe(
      true,
    );
    expect(wildcardMatch('secretsmanager:Get*', 'SecretsManager:GetSecretValue')).toBe(false);
    expect(wildcardMatch('secretsmanager:???SecretValue', 'secretsmanager:GetSecretValue')).toBe(true);
    expect(wildcardMatch('secretsmanager:??SecretValue', 'secretsmanager:GetSecretValue')).toBe(false);
  });

  it('finishes a pathological pattern against a long text in linear time', () => {
    const pattern = `${'*a'.repeat(18)}*b`;
    const text = 'a'.repeat(100_000);
    const started = process.hrtime.bigint();
    expect(wildcardMatch(pattern, text)).toBe(false);
    expect(wildcardMatch(`${'*?'.repeat(30)}*b`, text)).toBe(false);
    expect(wildcardMatch(`${'*a'.repeat(1000)}`, text)).toBe(true);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(ms).toBeLessThan(250);
  });
});

describe('parsePolicy', () => {
  it('explains what is wrong with a policy', () => {
    expect(parsePolicy('{not json')).toEqual({ ok: false, problems: ['The policy is not valid JSON.'] });
    expect(parsePolicy('[]')).toMatchObject({ ok: false });
    expect(parsePolicy('{"Version":"2012-10-17"}')).toEqual({
      ok: false,
      problems: ['The policy needs a Statement.'],
    });
    expect(parsePolicy('{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"x"}]}')).toEqual({
      ok: false,
      problems: ['Statement 1 needs an Effect of "Allow" or "Deny".'],
    });
    expect(parsePolicy('{"Statement":{"Effect":"Allow","Principal":"*","Action":"x"}}')).toMatchObject({
      ok: true,
    });
  });
});

describe('resource policies, through the real SDK', () => {
  let local: LocalFixture;
  beforeAll(async () => {
    local = await startLocal();
  });
  afterAll(() => local.endpoint.close());

  const statement = (extra: object) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', ...extra }],
    });
  const publicPolicy = statement({ Principal: '*' });
  const accountPolicy = statement({ Principal: { AWS: 'arn:aws:iam::123456789012:root' } });

  it('ValidateResourcePolicy passes a narrow policy and names the checks a broad or broken one fails', async () => {
    const sm = local.sm();
    expect(await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: accountPolicy }))).toMatchObject(
      {
        PolicyValidationPassed: true,
        ValidationErrors: [],
      },
    );
    const broad = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: publicPolicy }));
    expect(broad.PolicyValidationPassed).toBe(false);
    expect(broad.ValidationErrors).toEqual([
      { CheckName: 'PUBLIC_ACCESS_CHECK', ErrorMessage: expect.stringContaining('every principal') },
    ]);
    const conditioned = statement({
      Principal: '*',
      Condition: { StringEquals: { 'aws:PrincipalAccount': '123456789012' } },
    });
    expect(
      (await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: conditioned })))
        .PolicyValidationPassed,
    ).toBe(true);
    const broken = await sm.send(
      new ValidateResourcePolicyCommand({ ResourcePolicy: '{"Version":"2012-10-17"}' }),
    );
    expect(broken).toMatchObject({
      PolicyValidationPassed: false,
      ValidationErrors: [{ CheckName: 'SYNTAX_CHECK', ErrorMessage: 'The policy needs a Statement.' }],
    });
    await expect(
      sm.send(
        new ValidateResourcePolicyCommand({ SecretId: 'no-such-secret', ResourcePolicy: accountPolicy }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('PutResourcePolicy refuses a public policy only with BlockPublicPolicy, and a malformed one always', async () => {
    const sm = local.sm();
    await sm.send(new CreateSecretCommand({ Name: 'policy/public', SecretString: 'x' }));
    await expect(
      sm.send(
        new PutResourcePolicyCommand({
          SecretId: 'policy/public',
          ResourcePolicy: publicPolicy,
          BlockPublicPolicy: true,
        }),
      ),
    ).rejects.toMatchObject({ name: 'PublicPolicyException' });
    expect(
      (await sm.send(new GetResourcePolicyCommand({ SecretId: 'policy/public' }))).ResourcePolicy,
    ).toBeUndefined();
    // Not blocked by default, as the API reference says.
    await sm.send(new PutResourcePolicyCommand({ SecretId: 'policy/public', ResourcePolicy: publicPolicy }));
    expect((await sm.send(new GetResourcePolicyCommand({ SecretId: 'policy/public' }))).ResourcePolicy).toBe(
      publicPolicy,
    );
    await sm.send(
      new PutResourcePolicyCommand({
        SecretId: 'policy/public',
        ResourcePolicy: accountPolicy,
        BlockPublicPolicy: true,
      }),
    );
    for (const ResourcePolicy of ['{not json', '{"Version":"2012-10-17"}', '"just a string"']) {
      await expect(
        sm.send(new PutResourcePolicyCommand({ SecretId: 'policy/public', ResourcePolicy })),
      ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    }
  });

  it('evaluates a Deny with many wildcards without stalling the endpoint', async () => {
    const sm = local.sm();
    await sm.send(new CreateSecretCommand({ Name: 'policy/stars', SecretString: 'x' }));
    const action = `${'*s'.repeat(18)}*zzz`;
    await sm.send(
      new PutResourcePolicyCommand({
        SecretId: 'policy/stars',
        ResourcePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: '*', Action: action, Resource: '*' }],
        }),
      }),
    );
    const started = Date.now();
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'policy/stars' }))).SecretString).toBe('x');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
