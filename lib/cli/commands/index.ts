import type { Command } from 'commander';
import type { CliContext } from '../context';
import { registerAgent } from './agent';
import { registerAudit } from './audit';
import { registerBackup } from './backup';
import { registerCompletion } from './completion';
import { registerConsole } from './console';
import { registerCrypto } from './crypto';
import { registerDistribute } from './distribute';
import { registerEnvironments } from './environments';
import { registerGenerate } from './generate';
import { registerGroups } from './groups';
import { registerInject } from './inject';
import { registerInspect } from './inspect';
import { registerLifecycle } from './lifecycle';
import { registerLocal } from './local';
import { registerPolicy } from './policy';
import { registerRead } from './read';
import { registerRun } from './run';
import { registerTags } from './tags';
import { registerTemplates } from './templates';
import { registerTransfer } from './transfer';
import { registerWrite } from './write';

/** One command group: a file of lib/cli/commands that registers its commands on the program. */
export interface CommandModule {
  /** The section of `keystage --help` its commands are listed under. */
  readonly section: string;
  readonly register: (program: Command, context: CliContext) => void;
}

/**
 * Every command group, in the order `keystage --help` lists them. Completion scripts and the
 * README's command table are made from the program these build, so a command added here is
 * everywhere at once.
 */
export const COMMAND_MODULES: readonly CommandModule[] = Object.freeze([
  { section: 'secrets', register: registerRead },
  { section: 'secrets', register: registerWrite },
  { section: 'secrets', register: registerInspect },
  { section: 'lifecycle', register: registerLifecycle },
  { section: 'lifecycle', register: registerTags },
  { section: 'values', register: registerGenerate },
  { section: 'organise', register: registerGroups },
  { section: 'organise', register: registerTemplates },
  { section: 'governance', register: registerPolicy },
  { section: 'governance', register: registerAudit },
  { section: 'crypto', register: registerCrypto },
  { section: 'crypto', register: registerDistribute },
  { section: 'transfer', register: registerEnvironments },
  { section: 'transfer', register: registerTransfer },
  { section: 'transfer', register: registerBackup },
  { section: 'workloads', register: registerRun },
  { section: 'workloads', register: registerAgent },
  { section: 'workloads', register: registerInject },
  { section: 'development', register: registerLocal },
  { section: 'development', register: registerConsole },
  { section: 'shell', register: registerCompletion },
]);
