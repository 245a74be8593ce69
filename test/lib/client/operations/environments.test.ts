import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsClient } from '../../../../lib';
import type { AuditEntry } from '../../../../lib/audit/audit-event';
import { environmentNames } from '../../../../lib/client/operations/environments';
import { AccessPolicy } from '../../../../lib/policy';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';

// environments() through the real SDK against a fresh local endpoint per test, so the
// environments seen are exactly those the test made.
let local: LocalFixture;

beforeEach(async () => {
  local = await startLocal();
});
afterEach(() => local.endpoint.close());

function recordingSm(): { sm: SecretsManagerClient; commands: string[] } {
  const sm = local.sm();
  const commands: string[] = [];
  sm.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize' },
  );
  return { sm, commands };
}

describe('SecretsClient.environments', () => {
  it('lists the environments of keystage:environment tags, sorted, each once', async () => {
    const secrets = new SecretsClient({ secretsManager: local.sm() });
    for (const [environment, service] of [
      ['staging', 'billing'],
      ['prod', 'billing'],
      ['prod', 'web'],
      ['dev', 'web'],
    ] as const) {
      await secrets.create({ name: 'k', kind: 'generic', environment, service });
    }
    await secrets.create({ name: 'untagged/k', kind: 'generic' });
    expect(await secrets.environments()).toEqual(['dev', 'prod', 'staging']);
  });

  it('reads every page of ListSecrets', async () => {
    const { sm, commands } = recordingSm();
    const secrets = new SecretsClient({ secretsManager: sm });
    // The local endpoint pages ListSecrets by 100, as the client asks.
    for (let i = 0; i < 101; i++) {
      await secrets.create({
        name: `k${i}`,
        kind: 'generic',
        environment: i === 100 ? 'last' : 'bulk',
        service: 's',
      });
    }
    commands.length = 0;
    expect(await secrets.environments()).toEqual(['bulk', 'last']);
    expect(commands).toEqual(['ListSecretsCommand', 'ListSecretsCommand']);
  });

  it('counts only the exact tag key, not a key it is a prefix of', async () => {
    await local.sm().send(
      new CreateSecretCommand({
        Name: 'lookalike',
        SecretString: 'v',
        Tags: [{ Key: 'keystage:environment-owner', Value: 'not-an-environment' }],
      }),
    );
    expect(await new SecretsClient({ secretsManager: local.sm() }).environments()).toEqual([]);
  });

  it('is one list operation: the policy hides environments whose secrets the caller may not list', async () => {
    const seeder = new SecretsClient({ secretsManager: local.sm() });
    await seeder.create({ name: 'k', kind: 'generic', environment: 'prod', service: 'billing' });
    await seeder.create({ name: 'k', kind: 'generic', environment: 'dev', service: 'billing' });
    const events: AuditEntry[] = [];
    const secrets = new SecretsClient({
      secretsManager: local.sm(),
      policy: new AccessPolicy({
        rules: [{ id: 'dev-only', effect: 'allow', secrets: ['dev/**'], operations: ['list'] }],
      }),
      principal: { id: 'carol', service: 'billing', environment: 'dev', roles: ['developer'] },
      audit: { record: (event) => void events.push(event) },
    });
    expect(await secrets.environments()).toEqual(['dev']);
    expect(events).toEqual([
      expect.objectContaining({ action: 'environments', event_type: 'secret_metadata', success: true }),
    ]);
  });

  it('refuses options it does not know before any I/O', async () => {
    const { sm, commands } = recordingSm();
    await expect(
      new SecretsClient({ secretsManager: sm }).environments({ environment: 'prod' } as never),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field: 'environment' });
    expect(commands).toEqual([]);
  });
});

describe('environmentNames', () => {
  it('sorts by code unit and keeps each environment once', () => {
    expect(
      environmentNames([
        { name: 'b/x', environment: 'b' },
        { name: 'B/x', environment: 'B' },
        { name: 'b/y', environment: 'b' },
      ]),
    ).toEqual(['B', 'b']);
  });
});
