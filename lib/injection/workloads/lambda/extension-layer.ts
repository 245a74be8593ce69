import type { GetParameterCommandOutput } from '@aws-sdk/client-ssm';
import { UnexpectedServiceError } from '../../../errors';
import { ClientSlot, send, ssmSdk } from '../sdk';

/** The names AWS publishes the extension under (x86_64, and arm64 with `-Arm64`). */
const EXTENSION_LAYER_NAME = /^AWS-Parameters-and-Secrets-Lambda-Extension(?:-Arm64)?$/;
const LAYER_VERSION_ARN = /^(arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:layer:([A-Za-z0-9_-]+)):\d+$/;

/**
 * The public SSM parameter holding the latest extension layer version ARN for the region and
 * the function's architecture (Lambda says `x86_64` and `arm64`; the parameter path says
 * `x86` and `arm64`).
 */
export function extensionParameter(architecture: string | undefined): string {
  return `/aws/service/aws-parameters-and-secrets-lambda-extension/${architecture === 'arm64' ? 'arm64' : 'x86'}/latest`;
}

/** A layer version ARN without its version, to compare layers across versions. */
function layerOf(arn: string): string | undefined {
  return LAYER_VERSION_ARN.exec(arn)?.[1];
}

/**
 * Whether `arn` is a version of the extension: AWS's published layer, or the layer the caller
 * named as `extensionLayer` (their own copy).
 */
export function isExtensionLayer(arn: string, named: string | undefined): boolean {
  const match = LAYER_VERSION_ARN.exec(arn);
  if (match === null) return false;
  if (named !== undefined && layerOf(named) === match[1]) return true;
  return EXTENSION_LAYER_NAME.test(match[2]!);
}

/** The latest extension layer version ARN from the public SSM parameter. */
export async function latestExtensionLayer(
  ssm: ClientSlot,
  architecture: string | undefined,
  target: string,
): Promise<string> {
  const name = extensionParameter(architecture);
  const output = await send<GetParameterCommandOutput>(
    ssm,
    'GetParameter',
    target,
    new (ssmSdk().GetParameterCommand)({ Name: name }),
  );
  const value = output.Parameter?.Value;
  if (value === undefined || !isExtensionLayer(value, undefined)) {
    throw new UnexpectedServiceError(
      `GetParameter ${name} returned ${value === undefined ? 'no value' : JSON.stringify(value)}, not a layer version ARN of the extension: pass extensionLayer.`,
    );
  }
  return value;
}
