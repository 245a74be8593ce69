// A service that did not install the SQS client: @aws-sdk/client-sqs cannot be found.
jest.mock('@aws-sdk/client-sqs', () => {
  throw Object.assign(new Error("Cannot find module '@aws-sdk/client-sqs'"), { code: 'MODULE_NOT_FOUND' });
});

import { ConfigurationError } from '../../../../lib/errors';
import { RotationWatcher, SqsEventConsumer } from '../../../../lib/injection';
import { clientFixture } from '../../../support/client-fixture';

describe('SqsEventConsumer without @aws-sdk/client-sqs installed', () => {
  it('loads nothing until start(), which says which package to install', () => {
    const watcher = new RotationWatcher(clientFixture().client);
    const consumer = new SqsEventConsumer(watcher, {
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/rotation-events',
    });
    const error = (() => {
      try {
        consumer.start();
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ variable: '@aws-sdk/client-sqs' });
    expect((error as Error).message).toContain('npm install @aws-sdk/client-sqs');
    watcher.close();
  });
});
