import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  LambdaServiceException,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionConfigurationCommand,
  type FunctionConfiguration,
  type UpdateFunctionConfigurationCommandInput,
} from '@aws-sdk/client-lambda';
import { GetParameterCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';

export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:billing-worker';
/** The extension layer the public SSM parameter names in us-east-1 (x86_64 and arm64). */
export const EXTENSION_X86 =
  'arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:18';
export const EXTENSION_ARM =
  'arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:18';
export const OTHER_LAYER = 'arn:aws:lambda:us-east-1:123456789012:layer:billing-deps:7';
const WRITES = new Set(['UpdateFunctionConfigurationCommand', 'TagResourceCommand', 'UntagResourceCommand']);

export const lambdaMock = mockClient(LambdaClient);
export const ssmMock = mockClient(SSMClient);

export function lambdaError(
  name: string,
  message: string,
  status = 400,
  fault: 'client' | 'server' = 'client',
): Error {
  return new LambdaServiceException({ name, message, $fault: fault, $metadata: { httpStatusCode: status } });
}

const clone = <T>(value: T): T => structuredClone(value);

/**
 * One Lambda function as the Lambda API reference documents it: UpdateFunctionConfiguration
 * replaces the whole environment map and layer list, checks RevisionId, refuses a second
 * update while one is InProgress, and reports LastUpdateStatus InProgress for `updatePolls`
 * reads before Successful (or Failed).
 */
export class FakeLambda {
  config: FunctionConfiguration;
  tags: Record<string, string> = { team: 'billing' };
  /** How many GetFunctionConfiguration reads an update stays InProgress. */
  updatePolls = 1;
  #inProgress = 0;
  #revision = 1;
  #writes = 0;
  failWrite: number | undefined;
  readonly failOnce = new Map<string, Error>();
  /** Set to make the next update end Failed, with this reason. */
  failUpdate: string | undefined;

  constructor(
    options: {
      architecture?: 'x86_64' | 'arm64';
      layers?: string[];
      variables?: Record<string, string>;
      packageType?: 'Zip' | 'Image';
    } = {},
  ) {
    this.config = {
      FunctionName: 'billing-worker',
      FunctionArn: FUNCTION_ARN,
      Runtime: 'nodejs22.x',
      Role: 'arn:aws:iam::123456789012:role/billing-worker',
      Handler: 'index.handler',
      Timeout: 30,
      MemorySize: 512,
      LastModified: '2026-01-01T00:00:00.000+0000',
      Environment: {
        Variables: options.variables ?? {
          LOG_LEVEL: 'info',
          QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/billing',
        },
      },
      Layers: (options.layers ?? [OTHER_LAYER]).map((Arn) => ({ Arn, CodeSize: 1000 })),
      Architectures: [options.architecture ?? 'x86_64'],
      PackageType: options.packageType ?? 'Zip',
      RevisionId: `rev-${this.#revision}`,
      State: 'Active',
      LastUpdateStatus: 'Successful',
    };
  }

  install(): this {
    lambdaMock.reset();
    ssmMock.reset();
    lambdaMock.on(GetFunctionConfigurationCommand).callsFake((input) => this.getFunctionConfiguration(input));
    lambdaMock
      .on(UpdateFunctionConfigurationCommand)
      .callsFake((input) => this.#write('UpdateFunctionConfigurationCommand', () => this.update(input)));
    lambdaMock.on(ListTagsCommand).callsFake((input) => this.listTags(input));
    lambdaMock
      .on(TagResourceCommand)
      .callsFake((input) => this.#write('TagResourceCommand', () => this.tagResource(input)));
    lambdaMock
      .on(UntagResourceCommand)
      .callsFake((input) => this.#write('UntagResourceCommand', () => this.untagResource(input)));
    ssmMock.on(GetParameterCommand).callsFake((input: { Name?: string }) => {
      const values: Record<string, string> = {
        '/aws/service/aws-parameters-and-secrets-lambda-extension/x86/latest': EXTENSION_X86,
        '/aws/service/aws-parameters-and-secrets-lambda-extension/arm64/latest': EXTENSION_ARM,
      };
      const value = values[input.Name ?? ''];
      if (value === undefined) {
        throw new SSMServiceException({
          name: 'ParameterNotFound',
          message: '',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return { Parameter: { Name: input.Name, Type: 'String', Value: value, Version: 18 } };
    });
    return this;
  }

  #write<T>(name: string, apply: () => T): T {
    this.#writes++;
    const once = this.failOnce.get(name);
    if (once !== undefined) {
      this.failOnce.delete(name);
      throw once;
    }
    if (this.failWrite !== undefined && --this.failWrite === 0) {
      this.failWrite = undefined;
      throw lambdaError('ServiceException', 'Lambda was unable to process the request.', 500, 'server');
    }
    return apply();
  }

  #known(name: string | undefined): void {
    if (name !== 'billing-worker' && name !== FUNCTION_ARN) {
      throw lambdaError(
        'ResourceNotFoundException',
        `Function not found: ${FUNCTION_ARN.replace('billing-worker', name ?? '')}`,
        404,
      );
    }
  }

  getFunctionConfiguration(input: { FunctionName?: string }) {
    this.#known(input.FunctionName);
    if (this.#inProgress > 0) {
      this.#inProgress--;
      if (this.#inProgress === 0) {
        const failed = this.failUpdate;
        this.failUpdate = undefined;
        this.config = {
          ...this.config,
          LastUpdateStatus: failed === undefined ? 'Successful' : 'Failed',
          ...(failed === undefined
            ? {}
            : { LastUpdateStatusReason: failed, LastUpdateStatusReasonCode: 'InvalidConfiguration' }),
        };
        return clone({ ...this.config, LastUpdateStatus: 'InProgress' as const });
      }
    }
    return clone(this.config);
  }

  update(input: UpdateFunctionConfigurationCommandInput) {
    this.#known(input.FunctionName);
    if (this.config.LastUpdateStatus === 'InProgress' || this.#inProgress > 0) {
      throw lambdaError(
        'ResourceConflictException',
        'An update is in progress for resource: ' + FUNCTION_ARN,
        409,
      );
    }
    if (input.RevisionId !== undefined && input.RevisionId !== this.config.RevisionId) {
      throw lambdaError(
        'PreconditionFailedException',
        'The Revision Id provided does not match the latest Revision Id.',
        412,
      );
    }
    if (input.Layers !== undefined && input.Layers.length > 5)
      throw lambdaError('InvalidParameterValueException', 'Too many layers.');
    this.#revision++;
    this.config = {
      ...this.config,
      ...(input.Environment === undefined
        ? {}
        : { Environment: { Variables: { ...input.Environment.Variables } } }),
      ...(input.Layers === undefined ? {} : { Layers: input.Layers.map((Arn) => ({ Arn, CodeSize: 1000 })) }),
      RevisionId: `rev-${this.#revision}`,
      LastModified: `2026-01-01T00:00:${String(this.#revision).padStart(2, '0')}.000+0000`,
      LastUpdateStatus: 'InProgress',
    };
    this.#inProgress = this.updatePolls;
    if (this.#inProgress === 0) this.config = { ...this.config, LastUpdateStatus: 'Successful' };
    return clone(this.config);
  }

  listTags(input: { Resource?: string }) {
    if (input.Resource !== FUNCTION_ARN)
      throw lambdaError('InvalidParameterValueException', 'Tags require the unqualified function ARN.');
    return { Tags: { ...this.tags } };
  }

  tagResource(input: { Resource?: string; Tags?: Record<string, string> }) {
    if (input.Resource !== FUNCTION_ARN)
      throw lambdaError('InvalidParameterValueException', 'Tags require the unqualified function ARN.');
    this.tags = { ...this.tags, ...input.Tags };
    return {};
  }

  untagResource(input: { Resource?: string; TagKeys?: string[] }) {
    if (input.Resource !== FUNCTION_ARN)
      throw lambdaError('InvalidParameterValueException', 'Tags require the unqualified function ARN.');
    this.tags = Object.fromEntries(
      Object.entries(this.tags).filter(([key]) => !(input.TagKeys ?? []).includes(key)),
    );
    return {};
  }

  get writes(): number {
    return this.#writes;
  }

  variables(): Record<string, string> {
    return { ...(this.config.Environment?.Variables ?? {}) };
  }

  layers(): string[] {
    return (this.config.Layers ?? []).map((l) => l.Arn!);
  }

  snapshot(): unknown {
    return { variables: this.variables(), layers: this.layers(), tags: this.tags };
  }
}

/** Sinon numbers every spy call across spies; its types leave the field out. */
const callId = (call: unknown): number => (call as { callId: number }).callId;

/** Every Lambda and SSM request, in order: command name and input. */
export function lambdaRequests(): Array<{ command: string; input: unknown }> {
  return [...lambdaMock.calls(), ...ssmMock.calls()]
    .sort((a, b) => callId(a) - callId(b))
    .map((call) => call.args[0] as { constructor: { name: string }; input: unknown })
    .map((command) => ({ command: command.constructor.name.replace(/Command$/, ''), input: command.input }));
}

export const isLambdaWrite = (command: string): boolean => WRITES.has(`${command}Command`);
