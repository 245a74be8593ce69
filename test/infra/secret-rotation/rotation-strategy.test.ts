import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { InfraPropsError, RotationStrategy } from '../../../infra';
import { propsError } from '../../support/props-error';

describe('RotationStrategy', () => {
  describe('factories', () => {
    it.each([
      [RotationStrategy.generic(), 'generic', false],
      [RotationStrategy.postgresSingle(), 'postgres-single', true],
      [RotationStrategy.mysqlSingle(), 'mysql-single', true],
    ] as const)('%# makes the %s strategy', (strategy, name, database) => {
      expect({ name: strategy.name, database: strategy.connectsToDatabase }).toEqual({ name, database });
    });

    it.each(['postgresAlternating', 'mysqlAlternating'] as const)(
      '%s carries the master secret and its key it is given',
      (factory) => {
        const stack = new Stack();
        const masterSecret = secretsmanager.Secret.fromSecretNameV2(stack, 'Master', 'prod/billing/master');
        const strategy = RotationStrategy[factory]({ masterSecret });
        expect(strategy.name).toBe(
          factory === 'postgresAlternating' ? 'postgres-alternating' : 'mysql-alternating',
        );
        expect(strategy.masterSecret).toBe(masterSecret);
        expect(strategy.masterEncryptionKey).toBeUndefined();
      },
    );

    it('requires the master secret of an alternating strategy in its type, and at run time', () => {
      // @ts-expect-error masterSecret is required: `npm run typecheck` fails if it is not.
      const call = () => RotationStrategy.postgresAlternating({});
      expect(propsError(call)).toMatchObject({
        construct: 'RotationStrategy.postgresAlternating',
        prop: 'masterSecret',
      });
    });

    it('keeps database settings off the generic strategy and generic settings off the database ones', () => {
      // @ts-expect-error connectTimeout is a database setting.
      RotationStrategy.generic({ connectTimeout: Duration.seconds(1) });
      // @ts-expect-error kind is a generic setting.
      RotationStrategy.postgresSingle({ kind: 'api-key' });
      expect(RotationStrategy.generic().environment).toEqual({});
    });
  });

  describe('environment', () => {
    it('renders nothing for the generic defaults and only the CA bundle for the database ones', () => {
      expect(RotationStrategy.generic().environment).toEqual({});
      expect(RotationStrategy.mysqlSingle().environment).toEqual({
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      });
    });

    it('renders timeouts as whole milliseconds', () => {
      const strategy = RotationStrategy.postgresSingle({
        connectTimeout: Duration.seconds(2),
        queryTimeout: Duration.millis(7500),
      });
      expect(strategy.environment).toMatchObject({
        DB_CONNECT_TIMEOUT_MS: '2000',
        DB_QUERY_TIMEOUT_MS: '7500',
      });
    });

    it('renders an empty exclusion set, which excludes nothing', () => {
      expect(RotationStrategy.generic({ excludeCharacters: '' }).environment).toEqual({
        EXCLUDE_CHARACTERS: '',
      });
    });

    it('leaves a token for deployment to resolve and check', () => {
      const strategy = RotationStrategy.generic({ jsonField: Token.asString({ Ref: 'Field' }) });
      expect(Token.isUnresolved(strategy.environment.JSON_FIELD)).toBe(true);
    });
  });

  describe('options', () => {
    it.each<[string, () => RotationStrategy, string, string, RegExp]>([
      [
        'a password length of 4',
        () => RotationStrategy.postgresSingle({ passwordLength: 4 }),
        'RotationStrategy.postgresSingle',
        'passwordLength',
        /not a usable password policy .*; got 4\./,
      ],
      [
        'excluding every character',
        () =>
          RotationStrategy.generic({
            excludeCharacters:
              'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
          }),
        'RotationStrategy.generic',
        'excludeCharacters',
        /excludeCharacters/,
      ],
      [
        'an unknown kind',
        () => RotationStrategy.generic({ kind: 'pin' as never }),
        'RotationStrategy.generic',
        'kind',
        /password, api-key, symmetric-key; got "pin"\./,
      ],
      [
        'an API key prefix without the api-key kind',
        () => RotationStrategy.generic({ apiKeyPrefix: 'acme' }),
        'RotationStrategy.generic',
        'apiKeyPrefix',
        /needs the api-key kind; got "acme"\./,
      ],
      [
        'an API key prefix that is not lowercase',
        () => RotationStrategy.generic({ kind: 'api-key', apiKeyPrefix: 'Acme!' }),
        'RotationStrategy.generic',
        'apiKeyPrefix',
        /"Acme!"/,
      ],
      [
        'an empty JSON field',
        () => RotationStrategy.generic({ jsonField: '' }),
        'RotationStrategy.generic',
        'jsonField',
        /1 to 256 characters; got ""\./,
      ],
      [
        'a part of a millisecond',
        () => RotationStrategy.mysqlSingle({ queryTimeout: Duration.seconds(1.0005) }),
        'RotationStrategy.mysqlSingle',
        'queryTimeout',
        /whole number of milliseconds/,
      ],
    ])('refuses %s, naming the option and the value', (_what, make, construct, prop, message) => {
      const error = propsError(make);
      expect(error).toBeInstanceOf(InfraPropsError);
      expect(error).toMatchObject({ construct, prop, field: prop });
      expect(error.message).toMatch(message);
    });
  });
});
