import { routeRequest } from '../../../../lib/injection/agent/agent-request';

describe('routeRequest', () => {
  it('reads the query form with every parameter the Agent takes', () => {
    expect(
      routeRequest(
        '/secretsmanager/get?secretId=prod%2Fbilling%2Fdb&versionStage=AWSPREVIOUS&refreshNow=TRUE',
        '/v1/',
      ),
    ).toEqual({
      kind: 'read',
      query: {
        secretId: 'prod/billing/db',
        versionId: undefined,
        versionStage: 'AWSPREVIOUS',
        refreshNow: true,
      },
    });
  });

  it('reads refreshNow as the Agent does: true, 1, false, 0 in any case', () => {
    const refresh = (value: string) => {
      const route = routeRequest(`/v1/db?refreshNow=${value}`, '/v1/');
      return route.kind === 'read' ? route.query.refreshNow : route;
    };
    expect([refresh('1'), refresh('True'), refresh('0'), refresh('FALSE')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(refresh('yes')).toEqual({
      kind: 'refused',
      refusal: { status: 400, message: 'invalid refreshNow value' },
    });
  });

  it('takes the last of a repeated parameter, as the Agent does', () => {
    const route = routeRequest('/v1/db?versionStage=A&versionStage=B', '/v1/');
    expect(route).toMatchObject({ kind: 'read', query: { versionStage: 'B' } });
  });

  it('refuses secretId in the path form, which names the secret in its path', () => {
    expect(routeRequest('/v1/db?secretId=other', '/v1/')).toEqual({
      kind: 'refused',
      refusal: { status: 400, message: 'unknown parameter: secretId' },
    });
  });

  it('uses the configured path prefix, and only it', () => {
    expect(routeRequest('/secrets/prod/db', '/secrets/')).toMatchObject({
      kind: 'read',
      query: { secretId: 'prod/db' },
    });
    expect(routeRequest('/v1/prod/db', '/secrets/')).toEqual({
      kind: 'refused',
      refusal: { status: 404, message: 'Not found' },
    });
  });

  it('refuses a malformed percent-encoding in the path as a missing secret ID', () => {
    expect(routeRequest('/v1/%E0%A4%A', '/v1/')).toEqual({
      kind: 'refused',
      refusal: { status: 400, message: 'missing secret ID' },
    });
  });

  it('routes /ping whatever its query', () => {
    expect(routeRequest('/ping?x=1', '/v1/')).toEqual({ kind: 'ping' });
  });
});
