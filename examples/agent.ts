import { Writable } from 'node:stream';
import { SecretsClient } from 'keystage';
import { RotationWatcher, runWithSecrets, startSecretsAgent } from 'keystage/injection';

export async function agentExample(secrets = new SecretsClient()) {
  const db = { username: 'billing_app', password: 'correct-horse-battery-staple' };
  await secrets.create({ environment: 'prod', service: 'billing', name: 'db', kind: 'json', value: db });
  // One watcher for the process: one DescribeSecret per secret per interval, whoever listens.
  const watcher = new RotationWatcher(secrets, { intervalMs: 60_000 });

  // The sidecar: the Secrets Manager Agent's HTTP API on 127.0.0.1, each read a `get` through
  // the client (access policy, rate limits, audit trail). Without `token` it reads AWS_TOKEN.
  const token = 'example-ssrf-token'; // in production: AWS_TOKEN=$(openssl rand -hex 32)
  const agent = await startSecretsAgent({ client: secrets, port: 0, token, watcher }); // port 0: any free port
  const headers = { 'X-Aws-Parameters-Secrets-Token': token };
  const read = async () => {
    const answer = await fetch(`${agent.url}/secretsmanager/get?secretId=prod/billing/db`, { headers });
    return (await answer.json()) as { Name: string; VersionStages: string[]; SecretString: string };
  };
  const before = await read(); // GetSecretValue's shape: ARN, Name, VersionId, SecretString, ...
  const refused = await fetch(`${agent.url}/v1/prod/billing/db`); // no token: 403 "Bad Token"

  // A rotation: the watcher's next poll (or a pushed EventBridge event) sees AWSCURRENT move,
  // and the agent serves the new version at once, not after its TTL as the Agent would.
  await secrets.put('prod/billing/db', { ...db, password: 'rotated-horse-battery-staple' });
  await watcher.refreshNow('prod/billing/db'); // stands in for that poll here
  const after = await read();

  // A process with the password in its environment: what it prints has the value concealed,
  // and on rotation it is restarted with the new one (or signalled: onRotation 'signal:SIGHUP').
  const printed: string[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      printed.push(chunk.toString());
      done();
    },
  });
  const child = await runWithSecrets({
    client: secrets,
    watcher,
    env: { DB_PASSWORD: 'prod/billing/db#password' },
    command: process.execPath, // node
    args: ['-e', 'console.log(`connecting as billing_app with ${process.env.DB_PASSWORD}`)'],
    stdout,
    onRotation: 'restart',
  });
  const { exitCode } = await child.exited; // the child's status (128 + n after signal n)

  await agent.close();
  watcher.close();
  return {
    before: {
      name: before.Name,
      stages: before.VersionStages,
      password: JSON.parse(before.SecretString).password,
    },
    refused: `${refused.status} ${await refused.text()}`,
    after: JSON.parse(after.SecretString).password,
    printed: printed.join(''), // 'connecting as billing_app with <concealed by keystage>\n'
    exitCode,
  };
}
