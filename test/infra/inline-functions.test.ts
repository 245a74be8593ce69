// The inline functions' code is internal: the constructs deploy it, these tests run it.
import { REDEPLOY_CODE } from '../../infra/constructs/ecs-secrets-injection';
import { STALENESS_CHECK_CODE } from '../../infra/constructs/rotation-monitoring';

// The two small functions the constructs deploy inline, run here with stand-ins for the
// SDK clients the Lambda runtime provides.

type Sent = { command: string; input: Record<string, unknown> };

function load(code: string, modules: Record<string, unknown>, env: Record<string, string>) {
  const module = { exports: {} as { handler: () => Promise<unknown> } };
  const fakeRequire = (name: string) => {
    if (!(name in modules)) throw new Error(`unexpected require ${name}`);
    return modules[name];
  };
  new Function('require', 'exports', 'module', 'process', code)(fakeRequire, module.exports, module, { env });
  return module.exports.handler;
}

/** A fake SDK module: every Command records its input; the client answers with `answer`. */
function sdk(
  names: string[],
  sent: Sent[],
  answer: (command: string, input: Record<string, unknown>) => unknown,
) {
  const module: Record<string, unknown> = {};
  for (const name of names) {
    module[name] = class {
      readonly name = name;
      constructor(readonly input: Record<string, unknown>) {}
    };
  }
  const client = class {
    async send(command: { name: string; input: Record<string, unknown> }) {
      sent.push({ command: command.name, input: command.input });
      return answer(command.name, command.input);
    }
  };
  return { module, client };
}

it('the staleness check reports seconds since each secret last rotated, 20 metrics per call', async () => {
  const sent: Sent[] = [];
  const now = Date.now();
  const arns = Array.from(
    { length: 25 },
    (_, i) => `arn:aws:secretsmanager:eu-west-1:111111111111:secret:s${i}-AbCdEf`,
  );
  const sm = sdk(['DescribeSecretCommand'], sent, (_c, input) => {
    const i = arns.indexOf(String(input.SecretId));
    return i === 0
      ? { Name: 's0', CreatedDate: new Date(now - 3_600_000) } // never rotated
      : {
          Name: `s${i}`,
          LastRotatedDate: new Date(now - 86_400_000),
          CreatedDate: new Date(now - 10 * 86_400_000),
        };
  });
  const cw = sdk(['PutMetricDataCommand'], sent, () => ({}));
  const handler = load(
    STALENESS_CHECK_CODE,
    {
      '@aws-sdk/client-secrets-manager': { ...sm.module, SecretsManagerClient: sm.client },
      '@aws-sdk/client-cloudwatch': { ...cw.module, CloudWatchClient: cw.client },
    },
    { SECRET_ARNS: JSON.stringify(arns), NAMESPACE: 'keystage/Rotation' },
  );
  await expect(handler()).resolves.toEqual({ secrets: 25 });
  const puts = sent.filter((s) => s.command === 'PutMetricDataCommand');
  expect(puts.map((p) => (p.input.MetricData as unknown[]).length)).toEqual([20, 5]);
  const data = puts.flatMap(
    (p) => p.input.MetricData as Array<{ Dimensions: Array<{ Value: string }>; Value: number }>,
  );
  expect(puts[0]!.input.Namespace).toBe('keystage/Rotation');
  const s0 = data.find((d) => d.Dimensions[0]!.Value === 's0')!;
  const s1 = data.find((d) => d.Dimensions[0]!.Value === 's1')!;
  expect(s0.Value).toBeGreaterThanOrEqual(3600);
  expect(s0.Value).toBeLessThan(3700);
  expect(s1.Value).toBeGreaterThanOrEqual(86_400);
  expect(s1.Value).toBeLessThan(86_500);
});

it('the redeploy function forces a new deployment of its service', async () => {
  const sent: Sent[] = [];
  const ecs = sdk(['UpdateServiceCommand'], sent, () => ({}));
  const handler = load(
    REDEPLOY_CODE,
    { '@aws-sdk/client-ecs': { ...ecs.module, ECSClient: ecs.client } },
    {
      CLUSTER: 'billing',
      SERVICE: 'api',
    },
  );
  await expect(handler()).resolves.toEqual({ redeployed: 'api' });
  expect(sent).toEqual([
    {
      command: 'UpdateServiceCommand',
      input: { cluster: 'billing', service: 'api', forceNewDeployment: true },
    },
  ]);
});
