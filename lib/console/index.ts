export { startConsole } from './console-server';
export type { RunningConsole } from './console-server';
export type { ConsoleOptions } from './console-options';
export type { ConsoleClock } from './sessions';
export { CONSOLE_CSP } from './http-guard';
