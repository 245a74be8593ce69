import type { Command } from 'commander';
import { ValidationError } from '../../errors';
import type { CliContext } from '../context';
import { withExamples } from '../help';
import { keyValues } from '../parse';

function registerTag(program: Command, context: CliContext): void {
  const command = program
    .command('tag')
    .summary('add or overwrite tags')
    .argument('<id>', 'secret name (bare with -e), or ARN')
    .argument('<key=value...>', 'the tags')
    .option('--dry-run', 'show what would change; change nothing')
    .action(async (id: string, pairs: string[], flags: { dryRun?: boolean }) => {
      const tags = keyValues(pairs, 'key=value');
      const client = context.client();
      if (flags.dryRun === true) {
        const { name, tags: before } = await client.describe(id);
        const changes = Object.entries(tags)
          .filter(([key, value]) => before[key] !== value)
          .map(([key, value]) => ({ key, from: before[key], to: value }));
        context.print({ dryRun: true, action: 'tag', name, changes });
        return;
      }
      await client.tag(id, tags);
      context.print({ id, tagged: tags });
    });
  withExamples(command, [['keystage tag prod/billing/db owner=team-billing tier=1', 'two tags']]);
}

function registerUntag(program: Command, context: CliContext): void {
  const command = program
    .command('untag')
    .summary('remove tags by key')
    .argument('<id>', 'secret name (bare with -e), or ARN')
    .argument('<key...>', 'the tag keys')
    .option('--dry-run', 'show what would change; change nothing')
    .action(async (id: string, keys: string[], flags: { dryRun?: boolean }) => {
      const empty = keys.find((key) => key === '');
      if (empty !== undefined) throw new ValidationError('key', 'A tag key cannot be empty.');
      const client = context.client();
      if (flags.dryRun === true) {
        const { name, tags } = await client.describe(id);
        context.print({ dryRun: true, action: 'untag', name, removes: keys.filter((key) => key in tags) });
        return;
      }
      await client.untag(id, keys);
      context.print({ id, untagged: keys });
    });
  withExamples(command, [['keystage untag prod/billing/db tier', 'one tag']]);
}

/** `keystage tag` and `keystage untag`. */
export function registerTags(program: Command, context: CliContext): void {
  registerTag(program, context);
  registerUntag(program, context);
}
