import type * as Reports from '../../../../lib/audit/reports';
import { FROM, TO, collect } from './fixtures';

const LOGS = '@aws-sdk/client-cloudwatch-logs';

/** The reports module loaded afresh, with the CloudWatch Logs SDK replaced by `factory`. */
function reportsWith(factory: () => unknown): typeof Reports {
  let reports: typeof Reports | undefined;
  jest.isolateModules(() => {
    jest.doMock(LOGS, factory);
    reports = jest.requireActual<typeof Reports>('../../../../lib/audit/reports');
  });
  return reports!;
}

const fakeClient = {
  send: async () => ({ events: [] }),
} as unknown as Reports.CloudWatchLogsEventsOptions['client'];

afterEach(() => {
  jest.dontMock(LOGS);
  // The lazy require runs after isolateModules returns: drop what it cached.
  jest.resetModules();
});

describe('the CloudWatch Logs SDK (an optional peer)', () => {
  it('is not loaded by importing the reports, only by the first read', async () => {
    let loads = 0;
    const reports = reportsWith(() => {
      loads += 1;
      return { FilterLogEventsCommand: class {} };
    });
    const events = reports.cloudWatchLogsEvents({
      client: fakeClient,
      logGroupName: '/keystage/audit',
      from: FROM,
      to: TO,
    });
    expect(loads).toBe(0);
    await collect(events);
    expect(loads).toBe(1);
  });

  it('when not installed, fails the read with a ConfigurationError naming the package', async () => {
    const reports = reportsWith(() => {
      throw Object.assign(new Error(`Cannot find module '${LOGS}'`), { code: 'MODULE_NOT_FOUND' });
    });
    const events = reports.cloudWatchLogsEvents({
      client: fakeClient,
      logGroupName: '/keystage/audit',
      from: FROM,
      to: TO,
    });
    await expect(collect(events)).rejects.toMatchObject({ code: 'CONFIGURATION_ERROR', variable: LOGS });
  });
});
