import { CloudWatchLogsClient, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { fastJsonProtocol, jsonCodecProtocol } from '../../../lib/audit/cloudwatch-logs-sdk';

class Codec {
  constructor(readonly settings: Record<string, unknown>) {}
}
class Protocol {
  constructor(readonly settings: Record<string, unknown>) {}
}

describe('fastJsonProtocol', () => {
  it('gives the installed SDK’s awsJson1_1 protocol over its JSON.stringify codec', () => {
    const { protocol } = fastJsonProtocol();
    expect(protocol).toBeDefined();
    expect(protocol!.constructor.name).toBe('AwsJson1_1Protocol');
    const codec = (protocol as unknown as { codec: object }).codec;
    expect(codec.constructor.name).toBe('JsonCodec');
  });

  it('makes clients that send the same PutLogEvents JSON as the default codec does', async () => {
    const bodies: string[] = [];
    const capture = {
      handle: async (request: { body?: unknown }) => {
        const { body } = request;
        // The default codec sends bytes, JsonCodec a string.
        bodies.push(typeof body === 'string' ? body : Buffer.from(body as Uint8Array).toString('utf8'));
        return { response: { statusCode: 200, headers: {}, body: undefined } };
      },
    };
    const input = {
      logGroupName: '/keystage/audit',
      logStreamName: 'app-1',
      logEvents: [
        { timestamp: 1_700_000_000_000, message: '{"a":"quote \\" and \\\\ backslash","b":"é ✓ \\u0001"}' },
        { timestamp: 1_700_000_000_001, message: 'plain' },
      ],
    };
    for (const extra of [{}, fastJsonProtocol()]) {
      const client = new CloudWatchLogsClient({
        ...extra,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        requestHandler: capture as never,
        maxAttempts: 1,
      });
      await client.send(new PutLogEventsCommand(input)).catch(() => undefined);
    }
    expect(bodies).toHaveLength(2);
    expect(JSON.parse(bodies[1]!)).toEqual(JSON.parse(bodies[0]!));
    expect(JSON.parse(bodies[1]!)).toEqual(input);
  });
});

describe('jsonCodecProtocol', () => {
  it('builds the protocol with the codec and the client’s own settings', () => {
    const registries = [{}];
    const { protocol } = jsonCodecProtocol({ AwsJson1_1Protocol: Protocol, JsonCodec: Codec }, registries);
    const settings = (protocol as unknown as Protocol).settings;
    expect(settings).toMatchObject({
      defaultNamespace: 'com.amazonaws.cloudwatchlogs',
      serviceTarget: 'Logs_20140328',
      errorTypeRegistries: registries,
    });
    expect(settings['jsonCodec']).toBeInstanceOf(Codec);
  });

  it('leaves the SDK’s default in place when a piece is missing (an older SDK)', () => {
    expect(jsonCodecProtocol({ JsonCodec: Codec }, [])).toEqual({});
    expect(jsonCodecProtocol({ AwsJson1_1Protocol: Protocol }, [])).toEqual({});
    expect(jsonCodecProtocol({ AwsJson1_1Protocol: Protocol, JsonCodec: Codec }, undefined)).toEqual({});
  });
});
