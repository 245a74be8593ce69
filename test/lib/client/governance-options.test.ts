import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SecretsClient, ValidationError } from '../../../lib';
import type { Principal } from '../../../lib/client/access';
import { checkPrincipal } from '../../../lib/client/principal-check';
import { arnOf, rejection, sm, version } from '../../support/client-fixture';
import { ALICE, RecordingPolicy, allowAll, governedClient } from './governance-fixture';

const NAME = 'prod/billing/db';
const without = (field: keyof Principal) =>
  Object.fromEntries(Object.entries(ALICE).filter(([key]) => key !== field)) as unknown as Principal;

describe('checkPrincipal', () => {
  it.each(['id', 'service', 'environment', 'roles'] as const)(
    'refuses a principal without %s, naming it',
    (field) => {
      expect(() => checkPrincipal(without(field))).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', field: `principal.${field}` }),
      );
    },
  );

  it('refuses an empty id', () => {
    expect(() => checkPrincipal({ ...ALICE, id: '' })).toThrow(
      expect.objectContaining({ field: 'principal.id' }),
    );
  });

  it('refuses a role that is not a string, naming its index', () => {
    expect(() => checkPrincipal({ ...ALICE, roles: ['developer', 7 as never] })).toThrow(
      expect.objectContaining({ field: 'principal.roles[1]' }),
    );
  });

  it('refuses a field it does not know, such as a misspelt role', () => {
    expect(() => checkPrincipal({ ...ALICE, role: 'admin' } as never)).toThrow(
      expect.objectContaining({ field: 'principal.role' }),
    );
  });

  it('refuses a sourceIp that is not an address', () => {
    expect(() => checkPrincipal({ ...ALICE, sourceIp: '10.0.0.300' })).toThrow(
      expect.objectContaining({ field: 'principal.sourceIp' }),
    );
  });

  it('accepts every field of the contract, IPv6 included', () => {
    const full: Principal = {
      ...ALICE,
      email: 'alice@example.com',
      sourceIp: '2001:db8::7',
      userAgent: 'billing/1.2',
      roles: [],
    };
    expect(checkPrincipal(full)).toBe(full);
  });

  it('refuses something that is not an object', () => {
    expect(() => checkPrincipal('alice')).toThrow(expect.objectContaining({ field: 'principal' }));
  });
});

describe('SecretsClient governance options', () => {
  it('checks the client’s principal at construction', () => {
    expect(() => new SecretsClient({ principal: without('roles') })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'principal.roles' }),
    );
  });

  it('refuses the string principal of earlier versions', () => {
    expect(() => new SecretsClient({ principal: 'billing' as never })).toThrow(
      expect.objectContaining({ field: 'principal' }),
    );
  });

  it('refuses audit options of the wrong type, naming them', () => {
    expect(() => new SecretsClient({ auditReads: 'yes' as never })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'auditReads' }),
    );
    expect(() => new SecretsClient({ auditFailClosed: 1 as never })).toThrow(
      expect.objectContaining({ field: 'auditFailClosed' }),
    );
    expect(() => new SecretsClient({ audit: {} as never })).toThrow(
      expect.objectContaining({ field: 'audit' }),
    );
  });

  it('refuses a policy without evaluate', () => {
    expect(() => new SecretsClient({ policy: { rules: [] } as never })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'policy' }),
    );
  });

  it('refuses a rate-limit store without take', () => {
    expect(() => new SecretsClient({ policy: new RecordingPolicy([]), rateLimitStore: {} as never })).toThrow(
      expect.objectContaining({ field: 'rateLimitStore' }),
    );
  });

  it('refuses a rate-limit store without a policy, whose limits it would count', () => {
    expect(() => new SecretsClient({ rateLimitStore: { take: () => 0 } })).toThrow(
      expect.objectContaining({ field: 'rateLimitStore', message: expect.stringMatching(/pass policy too/) }),
    );
  });

  describe('per call', () => {
    it('refuses a bad principal passed with a call before any SDK call, as a rejection', async () => {
      const { client } = governedClient({ policy: new RecordingPolicy([allowAll()]), principal: ALICE });
      const error = await rejection(client.get(NAME, { principal: without('service') }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ field: 'principal.service' });
      expect(sm).not.toHaveReceivedAnyCommand();
    });

    it('checks a principal passed with a call without a policy too, on a cache hit', async () => {
      const { client } = governedClient();
      sm.on(GetSecretValueCommand).resolves({
        ARN: arnOf(NAME),
        Name: NAME,
        SecretString: 'v',
        VersionId: version('v1'),
      });
      await client.get(NAME);
      await expect(client.get(NAME, { principal: without('id') })).rejects.toMatchObject({
        field: 'principal.id',
      });
    });

    it('refuses an unknown option of a method that only takes the principal', async () => {
      const { client } = governedClient();
      await expect(client.describe(NAME, { principle: ALICE } as never)).rejects.toMatchObject({
        code: 'VALIDATION_ERROR',
        field: 'principle',
      });
      expect(sm).not.toHaveReceivedAnyCommand();
    });

    it('refuses call options that are not an object', async () => {
      const { client } = governedClient();
      await expect(client.getMany([NAME], null as never)).rejects.toMatchObject({ field: 'options' });
    });
  });
});
