import { text, textList, type Run, type SsmContext } from './context';
import { invalidResourceId, tooManyTags } from './faults';
import { MAX_TAGS, type ParameterRecord } from './records';
import { namedParameter } from './write-ops';
import { ServiceFault } from '../fault';
import type { Body } from '../wire';

/**
 * The parameter a tagging request names. The endpoint models no other kind of resource, so
 * another ResourceType (a document, a maintenance window, ...) names none: InvalidResourceId.
 */
function taggedParameter(ctx: SsmContext, body: Body): ParameterRecord {
  const id = text(body, 'ResourceId')!;
  if (text(body, 'ResourceType') !== 'Parameter') {
    throw invalidResourceId(
      `The local endpoint has no ${text(body, 'ResourceType')!} ${id}: it models Parameter Store parameters only.`,
    );
  }
  try {
    return namedParameter(ctx, id);
  } catch (error) {
    if (error instanceof ServiceFault) {
      throw invalidResourceId(`The resource ID isn't valid: no parameter ${id} in ${ctx.region}.`);
    }
    throw error;
  }
}

/** ListTagsForResource: a parameter's tags, in the order they were added. */
export const listTagsForResource: Run = (ctx, body) => ({
  TagList: Object.entries(taggedParameter(ctx, body).tags).map(([Key, Value]) => ({ Key, Value })),
});

/** AddTagsToResource: adds or replaces tags, at most 50 on a parameter. */
export const addTagsToResource: Run = (ctx, body) => {
  const record = ctx.parameters.edit(ctx.tx, taggedParameter(ctx, body));
  for (const { Key, Value } of body.Tags as Array<{ Key: string; Value: string }>) record.tags[Key] = Value;
  if (Object.keys(record.tags).length > MAX_TAGS) {
    throw tooManyTags(
      `A parameter can have at most ${MAX_TAGS} tags: remove some with RemoveTagsFromResource first.`,
    );
  }
  return {};
};

/** RemoveTagsFromResource: removes tags by key; keys it doesn't have are ignored. */
export const removeTagsFromResource: Run = (ctx, body) => {
  const record = ctx.parameters.edit(ctx.tx, taggedParameter(ctx, body));
  for (const key of textList(body, 'TagKeys')!) delete record.tags[key];
  return {};
};
