// A service that did not install @aws-sdk/client-cloudwatch-logs (an optional peer dependency).
jest.mock('@aws-sdk/client-cloudwatch-logs', () => {
  throw Object.assign(new Error("Cannot find module '@aws-sdk/client-cloudwatch-logs'"), {
    code: 'MODULE_NOT_FOUND',
  });
});

import { CloudWatchLogsAuditSink } from '../../../lib/audit';
import { ConfigurationError } from '../../../lib/errors';

describe('CloudWatchLogsAuditSink without @aws-sdk/client-cloudwatch-logs installed', () => {
  it('says which package to install when it is built', () => {
    let error: unknown;
    try {
      new CloudWatchLogsAuditSink({ logGroupName: '/keystage/audit' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: 'CONFIGURATION_ERROR', variable: '@aws-sdk/client-cloudwatch-logs' });
    expect((error as Error).message).toMatch(/npm install @aws-sdk\/client-cloudwatch-logs/);
  });
});
