import { ValidationError } from '../../../lib/errors';
import { ClientScope, isBareName, requireFilters } from '../../../lib/client/scope';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe_key-AbCdEf';

describe('isBareName', () => {
  it.each(['stripe_key', 'a', 'db.primary', 'x-y_z+1=@'])('takes %p as bare', (id) => {
    expect(isBareName(id)).toBe(true);
  });

  it.each([
    ['a full name', 'prod/billing/stripe_key'],
    ['a name with one slash', 'billing/stripe_key'],
    ['a leading slash', '/stripe_key'],
    ['an ARN without a slash in its name', ARN],
    ['a partial ARN', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe_key'],
    ['the empty string', ''],
    ['a number', 42],
    ['undefined', undefined],
  ])('does not take %s as bare', (_what, id) => {
    expect(isBareName(id)).toBe(false);
  });
});

describe('ClientScope', () => {
  describe('resolve', () => {
    const scope = new ClientScope({ environment: 'prod', service: 'billing' });

    it('prefixes a bare name with {environment}/{service}/', () => {
      expect(scope.resolve('stripe_key')).toBe('prod/billing/stripe_key');
    });

    it('takes a full name and an ARN as given, the very same string', () => {
      const full = ['staging', 'billing', 'stripe_key'].join('/');
      expect(scope.resolve(full)).toBe(full);
      expect(scope.resolve(ARN)).toBe(ARN);
    });

    it('leaves what is not a non-empty string for validation to report', () => {
      expect(scope.resolve('')).toBe('');
      expect(scope.resolve(undefined)).toBeUndefined();
      expect(scope.resolve(7)).toBe(7);
    });

    it('answers a bare name it resolved before with the string it made then', () => {
      const first = scope.resolve('hot');
      expect(scope.resolve('hot')).toBe(first);
    });

    it('keeps resolving correctly past the size of its memory', () => {
      const many = new ClientScope({ environment: 'e' });
      for (let i = 0; i < 2500; i++) expect(many.resolve(`s${i}`)).toBe(`e/s${i}`);
      expect(many.resolve('s1')).toBe('e/s1');
    });

    it('with only an environment resolves to {environment}/{name}, the name create gives', () => {
      expect(new ClientScope({ environment: 'prod' }).resolve('x')).toBe('prod/x');
    });

    it('with only a service resolves to {service}/{name}', () => {
      expect(new ClientScope({ service: 'billing' }).resolve('x')).toBe('billing/x');
    });

    it('unscoped takes every id as given', () => {
      const none = new ClientScope({});
      expect(none.scoped).toBe(false);
      expect(none.resolve('stripe_key')).toBe('stripe_key');
    });
  });

  describe('from', () => {
    it('defaults to KEYSTAGE_ENVIRONMENT and KEYSTAGE_SERVICE', () => {
      const scope = ClientScope.from({}, { KEYSTAGE_ENVIRONMENT: 'dev', KEYSTAGE_SERVICE: 'web' });
      expect(scope.toScope()).toEqual({ environment: 'dev', service: 'web' });
    });

    it('prefers the options to the environment variables', () => {
      const scope = ClientScope.from(
        { environment: 'prod' },
        { KEYSTAGE_ENVIRONMENT: 'dev', KEYSTAGE_SERVICE: 'web' },
      );
      expect(scope.toScope()).toEqual({ environment: 'prod', service: 'web' });
    });

    it('takes null as none, whatever the environment variable says', () => {
      const scope = ClientScope.from({ environment: null, service: null }, { KEYSTAGE_ENVIRONMENT: 'dev' });
      expect(scope.scoped).toBe(false);
      expect(scope.toScope()).toEqual({});
    });

    it('takes an empty variable as unset', () => {
      expect(ClientScope.from({}, { KEYSTAGE_ENVIRONMENT: '' }).scoped).toBe(false);
    });

    it('checks an option like create checks its environment', () => {
      expect(() => ClientScope.from({ environment: 'prod/eu' }, {})).toThrow(
        expect.objectContaining({ code: 'VALIDATION_ERROR', field: 'environment' }),
      );
      expect(() => ClientScope.from({ service: 42 }, {})).toThrow(
        expect.objectContaining({ field: 'service' }),
      );
    });

    it('names the variable when the environment variable is malformed', () => {
      expect(() => ClientScope.from({}, { KEYSTAGE_SERVICE: 'bill ing' })).toThrow(
        expect.objectContaining({ field: 'KEYSTAGE_SERVICE' }),
      );
    });
  });

  describe('createParts', () => {
    const scope = new ClientScope({ environment: 'prod', service: 'billing' });

    it('fills environment and service for a bare name', () => {
      expect(scope.createParts({ name: 'db' })).toEqual({ environment: 'prod', service: 'billing' });
    });

    it('fills only what the call leaves out', () => {
      expect(scope.createParts({ name: 'db', environment: 'staging' })).toEqual({ service: 'billing' });
    });

    it('fills nothing for a full name, which is taken as given', () => {
      expect(scope.createParts({ name: 'shared/db' })).toEqual({});
    });
  });

  describe('listFilters', () => {
    const scope = new ClientScope({ environment: 'prod', service: 'billing' });

    it("fills environment and service from the scope and drops 'scoped'", () => {
      expect(scope.listFilters({ prefix: 'prod/', scoped: true })).toEqual({
        prefix: 'prod/',
        environment: 'prod',
        service: 'billing',
      });
    });

    it('keeps what the call gives', () => {
      expect(scope.listFilters({ environment: 'dev' })).toEqual({ environment: 'dev', service: 'billing' });
    });

    it('with scoped: false leaves the scope out', () => {
      expect(scope.listFilters({ scoped: false })).toEqual({});
    });

    it('refuses a scoped that is not a boolean', () => {
      expect(() => scope.listFilters({ scoped: 'no' as unknown as boolean })).toThrow(
        expect.objectContaining({ field: 'scoped' }),
      );
    });
  });

  describe('withEnvironment', () => {
    it('keeps the service and checks the environment', () => {
      const scope = new ClientScope({ environment: 'prod', service: 'billing' });
      expect(scope.withEnvironment('staging').resolve('x')).toBe('staging/billing/x');
      expect(() => scope.withEnvironment('')).toThrow(ValidationError);
    });
  });
});

describe('requireFilters', () => {
  it('refuses a read of everything unless scoped is false', () => {
    expect(() => requireFilters({}, undefined, 'getAll')).toThrow(
      expect.objectContaining({ field: 'scoped', message: expect.stringContaining('scoped: false') }),
    );
    expect(() => requireFilters({}, false, 'getAll')).not.toThrow();
    expect(() => requireFilters({ prefix: 'x' }, undefined, 'getAll')).not.toThrow();
  });
});
