import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envelopeExample } from '../../examples/envelope';
import { startLocal } from '../support/local-endpoint';

const root = join(__dirname, '..', '..');

describe('README envelope encryption', () => {
  it('shows exactly the code of examples/envelope.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Envelope encryption'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples', 'envelope.ts'), 'utf8'));
  });

  it('runs: the value round-trips, is not stored in the clear, and refuses to move; a plain put is refused', async () => {
    const local = await startLocal();
    try {
      const kms = local.kms();
      const keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      const result = await envelopeExample(local.sm(), kms, keyArn);
      expect(result).toEqual({
        apiKey: 'example-ledger-key',
        storedShowsValue: false,
        opened: { apiKey: 'example-ledger-key' },
        movedCode: 'DECODE_ERROR',
        plainPutCode: 'VALIDATION_ERROR',
        currentApiKey: 'example-ledger-key-2',
      });
    } finally {
      await local.endpoint.close();
    }
  });
});
