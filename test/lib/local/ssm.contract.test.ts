import { DecryptCommand, DisableKeyCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { startLocal, type LocalFixture } from '../../support/local-endpoint';

const NOW = Date.UTC(2026, 2, 1, 12);
const ARN = (name: string, region = 'us-east-1') => `arn:aws:ssm:${region}:000000000000:parameter${name}`;

let local: LocalFixture;
let ssm: SSMClient;
let clock = NOW;

beforeAll(async () => {
  local = await startLocal({ now: () => clock });
  ssm = local.ssm();
});
afterAll(() => local.endpoint.close());

let counter = 0;
/** A fresh path per test, so tests never see each other's parameters. */
const fresh = (leaf = 'p') => `/t${++counter}/${leaf}`;

const put = (
  Name: string,
  Value: string,
  extra: Partial<ConstructorParameters<typeof PutParameterCommand>[0]> = {},
) => ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', ...extra }));

describe('local SSM Parameter Store', () => {
  describe('PutParameter and GetParameter', () => {
    it('stores a String as version 1 in the Standard tier and reads it back with its ARN and dates', async () => {
      const name = fresh();
      await expect(put(name, 'plain-1')).resolves.toMatchObject({ Version: 1, Tier: 'Standard' });
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
      expect(Parameter).toEqual({
        Name: name,
        Type: 'String',
        Value: 'plain-1',
        Version: 1,
        LastModifiedDate: new Date(NOW),
        ARN: ARN(name),
        DataType: 'text',
      });
    });

    it('keeps a StringList as the comma-separated text it was given', async () => {
      const name = fresh();
      await put(name, 'a,b,c', { Type: 'StringList' });
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
      expect(Parameter).toMatchObject({ Type: 'StringList', Value: 'a,b,c' });
    });

    it('encrypts a SecureString under alias/aws/ssm with the parameter ARN as encryption context', async () => {
      const name = fresh();
      await put(name, 'secure-value-1', { Type: 'SecureString' });
      const encrypted = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter!.Value!;
      expect(encrypted).not.toContain('secure-value-1');
      const decrypted = await local.kms().send(
        new DecryptCommand({
          CiphertextBlob: Buffer.from(encrypted, 'base64'),
          EncryptionContext: { PARAMETER_ARN: ARN(name) },
        }),
      );
      expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('secure-value-1');
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      expect(Parameter).toMatchObject({ Type: 'SecureString', Value: 'secure-value-1', Version: 1 });
    });

    it('encrypts under the KeyId given, and a read fails with InvalidKeyId once that key is disabled', async () => {
      const { KeyMetadata } = await local.kms().send(new CreateKeyCommand({}));
      const name = fresh();
      await put(name, 'under-my-key', { Type: 'SecureString', KeyId: KeyMetadata!.KeyId! });
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      expect(Parameter?.Value).toBe('under-my-key');
      await local.kms().send(new DisableKeyCommand({ KeyId: KeyMetadata!.KeyId! }));
      await expect(
        ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true })),
      ).rejects.toMatchObject({
        name: 'InvalidKeyId',
      });
      // Without decryption the ciphertext is still answered.
      await expect(ssm.send(new GetParameterCommand({ Name: name }))).resolves.toMatchObject({
        Parameter: { Type: 'SecureString' },
      });
    });

    it('refuses a KeyId that names no key with InvalidKeyId, and writes nothing', async () => {
      const name = fresh();
      await expect(
        put(name, 'x', { Type: 'SecureString', KeyId: 'alias/no-such-key' }),
      ).rejects.toMatchObject({
        name: 'InvalidKeyId',
      });
      await expect(ssm.send(new GetParameterCommand({ Name: name }))).rejects.toMatchObject({
        name: 'ParameterNotFound',
      });
    });

    it('refuses to replace a parameter without Overwrite: ParameterAlreadyExists', async () => {
      const name = fresh();
      await put(name, 'first');
      await expect(put(name, 'second')).rejects.toMatchObject({
        name: 'ParameterAlreadyExists',
        message: expect.stringContaining('set the overwrite option'),
      });
      expect((await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value).toBe('first');
    });

    it('adds a version with Overwrite, keeping the settings the request leaves out', async () => {
      const name = fresh();
      await put(name, 'one', { Type: 'SecureString', Description: 'the db url', AllowedPattern: '[a-z]+' });
      clock += 1000;
      await expect(
        ssm.send(new PutParameterCommand({ Name: name, Value: 'two', Overwrite: true })),
      ).resolves.toMatchObject({ Version: 2 });
      await expect(
        ssm.send(new PutParameterCommand({ Name: name, Value: 'not-ok-3', Overwrite: true })),
      ).rejects.toMatchObject({ name: 'ParameterPatternMismatchException' });
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      expect(Parameter).toMatchObject({ Type: 'SecureString', Value: 'two', Version: 2 });
      const { Parameters } = await ssm.send(new GetParameterHistoryCommand({ Name: name }));
      expect(Parameters?.map((p) => [p.Version, p.Description, p.AllowedPattern, p.KeyId])).toEqual([
        [1, 'the db url', '[a-z]+', 'alias/aws/ssm'],
        [2, 'the db url', '[a-z]+', 'alias/aws/ssm'],
      ]);
    });

    it('reads a version with name:version and a label with name:label, answering the Selector', async () => {
      const name = fresh();
      await put(name, 'v1');
      await put(name, 'v2', { Overwrite: true });
      await put(name, 'v3', { Overwrite: true });
      await ssm.send(
        new LabelParameterVersionCommand({ Name: name, ParameterVersion: 2, Labels: ['stable'] }),
      );
      await expect(ssm.send(new GetParameterCommand({ Name: `${name}:1` }))).resolves.toMatchObject({
        Parameter: { Name: name, Value: 'v1', Version: 1, Selector: ':1' },
      });
      await expect(ssm.send(new GetParameterCommand({ Name: `${name}:stable` }))).resolves.toMatchObject({
        Parameter: { Value: 'v2', Version: 2, Selector: ':stable' },
      });
      await expect(ssm.send(new GetParameterCommand({ Name: `${name}:9` }))).rejects.toMatchObject({
        name: 'ParameterVersionNotFound',
      });
      await expect(ssm.send(new GetParameterCommand({ Name: `${name}:nolabel` }))).rejects.toMatchObject({
        name: 'ParameterNotFound',
      });
      await expect(ssm.send(new GetParameterCommand({ Name: `${name}:1:2` }))).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('<name>:<version/label>'),
      });
    });

    it('reads a parameter by its ARN, also with a selector', async () => {
      const name = fresh();
      await put(name, 'by-arn');
      await expect(ssm.send(new GetParameterCommand({ Name: ARN(name) }))).resolves.toMatchObject({
        Parameter: { Name: name, Value: 'by-arn' },
      });
      await expect(ssm.send(new GetParameterCommand({ Name: `${ARN(name)}:1` }))).resolves.toMatchObject({
        Parameter: { Version: 1, Selector: ':1' },
      });
      await expect(ssm.send(new GetParameterCommand({ Name: ARN(name, 'eu-west-1') }))).rejects.toMatchObject(
        {
          name: 'ParameterNotFound',
        },
      );
    });

    it('keeps parameters apart per region', async () => {
      const name = fresh();
      await put(name, 'east');
      await expect(
        local.ssm('eu-west-1').send(new GetParameterCommand({ Name: name })),
      ).rejects.toMatchObject({
        name: 'ParameterNotFound',
      });
    });

    it('answers ParameterNotFound for a name that does not exist, naming it', async () => {
      await expect(ssm.send(new GetParameterCommand({ Name: '/nothing/here' }))).rejects.toMatchObject({
        name: 'ParameterNotFound',
        message: expect.stringContaining('/nothing/here'),
        $metadata: { httpStatusCode: 400 },
      });
    });

    it('stores a value over 4 KB in the Advanced tier, and Intelligent-Tiering picks the tier by size', async () => {
      const small = fresh('small');
      const large = fresh('large');
      await expect(put(small, 'x', { Tier: 'Intelligent-Tiering' })).resolves.toMatchObject({
        Tier: 'Standard',
      });
      await expect(put(large, 'x'.repeat(5000), { Tier: 'Intelligent-Tiering' })).resolves.toMatchObject({
        Tier: 'Advanced',
      });
      await expect(put(fresh(), 'x'.repeat(5000))).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining(
          'Standard tier parameters support a maximum parameter value of 4096',
        ),
      });
      await expect(put(fresh(), 'x'.repeat(8193), { Tier: 'Advanced' })).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(put(large, 'y', { Overwrite: true, Tier: 'Standard' })).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining("can't downgrade"),
      });
    });

    it('encrypts an Advanced SecureString of 8 KB', async () => {
      const name = fresh();
      const value = 's'.repeat(8192);
      await expect(put(name, value, { Type: 'SecureString', Tier: 'Advanced' })).resolves.toMatchObject({
        Tier: 'Advanced',
      });
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      expect(Parameter?.Value).toBe(value);
    });

    it('refuses to change the type of a parameter: HierarchyTypeMismatchException', async () => {
      const name = fresh();
      await put(name, 'text');
      await expect(put(name, 'text', { Overwrite: true, Type: 'SecureString' })).rejects.toMatchObject({
        name: 'HierarchyTypeMismatchException',
      });
    });

    it('keeps the last 100 versions, dropping the oldest unless it carries a label', async () => {
      const name = fresh();
      await put(name, 'v1');
      await ssm.send(
        new LabelParameterVersionCommand({ Name: name, ParameterVersion: 1, Labels: ['first'] }),
      );
      for (let v = 2; v <= 100; v++) await put(name, `v${v}`, { Overwrite: true });
      await expect(put(name, 'v101', { Overwrite: true })).rejects.toMatchObject({
        name: 'ParameterMaxVersionLimitExceeded',
      });
      await ssm.send(
        new LabelParameterVersionCommand({ Name: name, ParameterVersion: 50, Labels: ['first'] }),
      );
      await expect(put(name, 'v101', { Overwrite: true })).resolves.toMatchObject({ Version: 101 });
      await expect(ssm.send(new GetParameterCommand({ Name: `${name}:1` }))).rejects.toMatchObject({
        name: 'ParameterVersionNotFound',
      });
      const history = await ssm.send(new GetParameterHistoryCommand({ Name: name, MaxResults: 50 }));
      expect(history.Parameters?.[0]?.Version).toBe(2);
      const rest = await ssm.send(
        new GetParameterHistoryCommand({ Name: name, MaxResults: 50, NextToken: history.NextToken }),
      );
      expect(rest.Parameters?.map((p) => p.Version)).toEqual(Array.from({ length: 50 }, (_, i) => 52 + i));
      expect(rest.NextToken).toBeUndefined();
    });
  });

  describe('LabelParameterVersion', () => {
    it('moves a label from the version that had it, labels the latest by default, and reports invalid labels', async () => {
      const name = fresh();
      await put(name, 'v1');
      await ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 1, Labels: ['prod'] }));
      await put(name, 'v2', { Overwrite: true });
      const answer = await ssm.send(
        new LabelParameterVersionCommand({
          Name: name,
          Labels: ['prod', 'aws-x', '1st', 'bad label', 'ok.2'],
        }),
      );
      expect(answer).toMatchObject({ ParameterVersion: 2, InvalidLabels: ['aws-x', '1st', 'bad label'] });
      const { Parameters } = await ssm.send(new GetParameterHistoryCommand({ Name: name }));
      expect(Parameters?.map((p) => p.Labels)).toEqual([[], ['prod', 'ok.2']]);
    });

    it('allows at most 10 labels on a version', async () => {
      const name = fresh();
      await put(name, 'v1');
      const labels = Array.from({ length: 10 }, (_, i) => `l${i}`);
      await ssm.send(new LabelParameterVersionCommand({ Name: name, Labels: labels }));
      await expect(
        ssm.send(new LabelParameterVersionCommand({ Name: name, Labels: ['eleventh'] })),
      ).rejects.toMatchObject({ name: 'ParameterVersionLabelLimitExceeded' });
    });

    it('answers ParameterVersionNotFound and ParameterNotFound', async () => {
      const name = fresh();
      await put(name, 'v1');
      await expect(
        ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 7, Labels: ['x'] })),
      ).rejects.toMatchObject({ name: 'ParameterVersionNotFound' });
      await expect(
        ssm.send(new LabelParameterVersionCommand({ Name: fresh(), Labels: ['x'] })),
      ).rejects.toMatchObject({ name: 'ParameterNotFound' });
    });
  });

  describe('GetParameters', () => {
    it('answers up to 10 names in order, the ones it cannot read in InvalidParameters', async () => {
      const a = fresh('a');
      const b = fresh('b');
      await put(a, 'A');
      await put(b, 'B', { Type: 'SecureString' });
      const answer = await ssm.send(
        new GetParametersCommand({ Names: [b, '/missing', a, `${a}:5`, a], WithDecryption: true }),
      );
      expect(answer.Parameters?.map((p) => [p.Name, p.Value])).toEqual([
        [b, 'B'],
        [a, 'A'],
      ]);
      expect(answer.InvalidParameters).toEqual(['/missing', `${a}:5`]);
      await expect(
        ssm.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `/n${i}`) })),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    });
  });

  describe('DeleteParameter and DeleteParameters', () => {
    it('deletes every version; a parameter made again under the name starts at version 1', async () => {
      const name = fresh();
      await put(name, 'old');
      await put(name, 'old2', { Overwrite: true });
      await ssm.send(new DeleteParameterCommand({ Name: name }));
      await expect(ssm.send(new GetParameterCommand({ Name: name }))).rejects.toMatchObject({
        name: 'ParameterNotFound',
      });
      await expect(ssm.send(new DeleteParameterCommand({ Name: name }))).rejects.toMatchObject({
        name: 'ParameterNotFound',
      });
      await expect(put(name, 'new')).resolves.toMatchObject({ Version: 1 });
      expect((await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value).toBe('new');
    });

    it('deletes up to 10 and reports the names it did not find', async () => {
      const a = fresh('a');
      const b = fresh('b');
      await put(a, '1');
      await put(b, '2');
      await expect(ssm.send(new DeleteParametersCommand({ Names: [a, '/none', b] }))).resolves.toMatchObject({
        DeletedParameters: [a, b],
        InvalidParameters: ['/none'],
      });
    });
  });

  describe('tags', () => {
    it('keeps the tags PutParameter gives, and changes them with AddTagsToResource and RemoveTagsFromResource', async () => {
      const name = fresh();
      await put(name, 'v', {
        Tags: [
          { Key: 'team', Value: 'billing' },
          { Key: 'tier', Value: 'gold' },
        ],
      });
      const list = () =>
        ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }));
      await expect(list()).resolves.toMatchObject({
        TagList: [
          { Key: 'team', Value: 'billing' },
          { Key: 'tier', Value: 'gold' },
        ],
      });
      await ssm.send(
        new AddTagsToResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: name,
          Tags: [{ Key: 'team', Value: 'core' }],
        }),
      );
      await ssm.send(
        new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: name, TagKeys: ['tier'] }),
      );
      await expect(list()).resolves.toMatchObject({ TagList: [{ Key: 'team', Value: 'core' }] });
      await expect(
        ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/none' })),
      ).rejects.toMatchObject({ name: 'InvalidResourceId' });
    });

    it('refuses tags together with Overwrite', async () => {
      const name = fresh();
      await put(name, 'v');
      await expect(
        put(name, 'w', { Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] }),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining("tags and overwrite can't be used together"),
      });
    });
  });
});
