import type { Operation } from '../operation';
import type { Run, SsmContext } from './context';
import { describeParameters, getParametersByPath } from './list-ops';
import { getParameter, getParameterHistory, getParameters } from './read-ops';
import { SHAPES, type SsmOperationName } from './shapes';
import { addTagsToResource, listTagsForResource, removeTagsFromResource } from './tag-ops';
import { deleteParameter, deleteParameters, labelParameterVersion, putParameter } from './write-ops';

const RUN: Record<SsmOperationName, Run> = {
  PutParameter: putParameter,
  GetParameter: getParameter,
  GetParameters: getParameters,
  GetParametersByPath: getParametersByPath,
  DeleteParameter: deleteParameter,
  DeleteParameters: deleteParameters,
  DescribeParameters: describeParameters,
  GetParameterHistory: getParameterHistory,
  LabelParameterVersion: labelParameterVersion,
  ListTagsForResource: listTagsForResource,
  AddTagsToResource: addTagsToResource,
  RemoveTagsFromResource: removeTagsFromResource,
};

/** The Parameter Store operations the local endpoint answers, by `X-Amz-Target` name (`AmazonSSM.<name>`). */
export const SSM_OPERATIONS: Readonly<Record<string, Operation<SsmContext>>> = Object.fromEntries(
  (Object.keys(RUN) as SsmOperationName[]).map((name) => [
    name,
    { input: SHAPES[name], run: RUN[name] } satisfies Operation<SsmContext>,
  ]),
);

export type { SsmContext } from './context';
export { SSM_INTERNAL_ERROR } from './faults';
export { ParameterStore } from './store';
