import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import ts from 'typescript';
import * as infra from '../../infra';

// Runs the ts block of the README's "For platform teams" section, with `keystage/infra` as this
// repository's infra/, and checks what it deploys: the example must keep working as the API moves.

const root = join(__dirname, '..', '..');

function sectionBlock(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## For platform teams: deploying with CDK');
  expect(start).toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  expect(blocks).toHaveLength(1);
  return blocks[0]!;
}

describe("the README's CDK example", () => {
  it('synthesises a rotated secret whose replicas use the replica key of their region', () => {
    const apps: cdk.App[] = [];
    class RecordedApp extends cdk.App {
      constructor(props?: cdk.AppProps) {
        super(props);
        apps.push(this);
      }
    }
    const modules: Record<string, unknown> = {
      'aws-cdk-lib': { ...cdk, App: RecordedApp },
      'aws-cdk-lib/aws-ec2': cdk.aws_ec2,
      'keystage/infra': infra,
    };
    const { outputText } = ts.transpileModule(sectionBlock(), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    });
    const exports = {};
    runInNewContext(outputText, {
      exports,
      require: (name: string) => {
        if (!(name in modules)) throw new Error(`the README block imports ${name}`);
        return modules[name];
      },
    });
    expect(apps).toHaveLength(1);
    const stack = apps[0]!.node.findChild('BillingSecrets') as cdk.Stack;
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    template.allResourcesProperties('AWS::SecretsManager::Secret', {
      ReplicaRegions: [
        {
          Region: 'eu-central-1',
          KmsKeyId: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':kms:eu-central-1:111111111111:alias/keystage/prod/billing',
              ],
            ],
          },
        },
      ],
    });
  });
});
