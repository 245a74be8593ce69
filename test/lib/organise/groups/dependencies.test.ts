import { SecretsClient } from '../../../../lib/client';
import { SecretNotFoundError, ValidationError } from '../../../../lib/errors';
import { defineGroup, dependenciesOf, dependsOn, impact, removeDependencies } from '../../../../lib/organise';
import { startLocal, type LocalFixture } from '../../../support/local-endpoint';

let local: LocalFixture;
let secrets: SecretsClient;
let n = 0;

beforeAll(async () => {
  local = await startLocal();
  secrets = new SecretsClient({ secretsManager: local.sm() });
});
afterAll(() => local.endpoint.close());

/** Secrets `{service}/{name}` under a fresh environment, by name. */
async function made(...names: Array<`${string}/${string}`>): Promise<Record<string, string>> {
  const environment = `e${++n}`;
  const byName: Record<string, string> = {};
  for (const full of names) {
    const [service, name] = full.split('/') as [string, string];
    byName[name] = (await secrets.create({ name, kind: 'generic', environment, service })).name;
  }
  return byName;
}

describe('dependsOn', () => {
  it('records the names in keystage:depends-on, kept with those recorded before', async () => {
    const s = await made('web/session', 'auth/jwt', 'auth/salt');
    expect(await dependsOn(secrets, s.session!, [s.salt!])).toEqual([s.salt]);
    expect(await dependsOn(secrets, s.session!, [s.jwt!, s.salt!])).toEqual([s.jwt, s.salt].sort());
    expect((await secrets.describe(s.session!)).tags['keystage:depends-on']).toBe(
      [s.jwt, s.salt].sort().join(' '),
    );
    expect(await dependenciesOf(secrets, s.session!)).toEqual([s.jwt, s.salt].sort());
  });

  it('records a dependency given by ARN under its name', async () => {
    const s = await made('web/session', 'auth/jwt');
    const { arn } = await secrets.describe(s.jwt!);
    expect(await dependsOn(secrets, s.session!, [arn])).toEqual([s.jwt]);
  });

  it('refuses a secret that depends on itself, or on one that does not exist, writing nothing', async () => {
    const s = await made('web/session');
    await expect(dependsOn(secrets, s.session!, [s.session!])).rejects.toBeInstanceOf(ValidationError);
    await expect(dependsOn(secrets, s.session!, ['nowhere/none/x'])).rejects.toBeInstanceOf(
      SecretNotFoundError,
    );
    expect(await dependenciesOf(secrets, s.session!)).toEqual([]);
  });

  it('refuses a list that would not fit the tag value', async () => {
    const s = await made('web/a');
    const many: string[] = [];
    for (let i = 0; i < 12; i++) {
      many.push(
        (
          await secrets.create({
            name: `dependency-with-a-long-name-${i}`,
            kind: 'generic',
            environment: `e${n}`,
            service: 'web',
          })
        ).name,
      );
    }
    const error = await dependsOn(secrets, s.a!, many).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'keystage:depends-on' });
    expect(await dependenciesOf(secrets, s.a!)).toEqual([]);
  });
});

describe('removeDependencies', () => {
  it('forgets the dependencies named and removes the tag with the last', async () => {
    const s = await made('web/session', 'auth/jwt', 'auth/salt');
    await dependsOn(secrets, s.session!, [s.jwt!, s.salt!]);
    expect(await removeDependencies(secrets, s.session!, [s.jwt!])).toEqual([s.salt]);
    expect(await removeDependencies(secrets, s.session!, [s.salt!])).toEqual([]);
    expect((await secrets.describe(s.session!)).tags).not.toHaveProperty(['keystage:depends-on']);
  });
});

describe('impact', () => {
  it('lists the secrets that depend on a secret, through others too, its group peers and their services', async () => {
    const s = await made('auth/jwt', 'web/session', 'web/cookie', 'billing/unrelated', 'auth/rotator');
    await dependsOn(secrets, s.session!, [s.jwt!]);
    await dependsOn(secrets, s.cookie!, [s.session!]);
    await defineGroup(secrets, `signing-${n}`, [s.jwt!, s.rotator!]);
    const result = await impact(secrets, s.jwt!);
    expect(result.secret).toMatchObject({ name: s.jwt, service: 'auth', environment: `e${n}` });
    expect(result.dependents).toEqual(
      [
        { name: s.cookie, via: ['depends-on'], through: [s.session], groups: [], service: 'web' },
        { name: s.rotator, via: ['group'], through: [], groups: [`signing-${n}`], service: 'auth' },
        { name: s.session, via: ['depends-on'], through: [], groups: [], service: 'web' },
      ]
        .sort((a, b) => (a.name! < b.name! ? -1 : 1))
        .map((expected) => expect.objectContaining(expected)),
    );
    expect(result.services).toEqual(['auth', 'web']);
  });

  it('is only the secret itself when nothing depends on it', async () => {
    const s = await made('billing/alone');
    expect(await impact(secrets, s.alone!)).toMatchObject({ dependents: [], services: ['billing'] });
  });

  it('ends at a dependency cycle', async () => {
    const s = await made('a/one', 'a/two');
    await dependsOn(secrets, s.one!, [s.two!]);
    await dependsOn(secrets, s.two!, [s.one!]);
    expect((await impact(secrets, s.one!)).dependents.map((d) => d.name)).toEqual([s.two]);
  });
});
