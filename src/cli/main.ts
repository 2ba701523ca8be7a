import { Command } from 'commander';
import { ConfigError } from '../config/load.js';
import { agentCommand } from './agent.js';
import { startCommand } from './start.js';
import { tokenCreateCommand, userAddCommand } from './store-commands.js';
import { VERSION } from './version.js';

/** `nbhub start | agent | user add | token create`, exactly as DESIGN.md's contract names them. */
export const main = async (argv: string[]): Promise<void> => {
  const program = new Command('nbhub').version(VERSION).description('A hub for notebook runtimes');
  const env = process.env;
  program
    .command('start')
    .description('Start the hub')
    .option('--config <file>', 'YAML config file')
    .option('--port <n>', 'port to listen on')
    .option('--data-dir <dir>', 'data directory')
    .action((o: { config?: string; port?: string; dataDir?: string }) => startCommand(o, env));
  program
    .command('agent')
    .description('Run a monitoring agent for the runtimes on this machine (admin API token in NBHUB_AGENT_TOKEN)')
    .option('--hub <url>', 'the hub to register with, e.g. http://hub.internal:8000 (or NBHUB_AGENT_HUB)')
    .option('--port <n>', 'port to serve the event log on (default 8001)')
    .option('--data-dir <dir>', 'where the event log lives (default ./nbhub-agent-data)')
    .action((o: { hub?: string; port?: string; dataDir?: string }) => agentCommand(o, env));
  const user = program.command('user').description('Manage users');
  user
    .command('add <name>')
    .description('Add a local user')
    .option('--admin', 'make the user an admin')
    .option('--password-stdin', 'read the password from standard input')
    .option('--config <file>', 'YAML config file')
    .option('--data-dir <dir>', 'data directory')
    .action((name: string, o: { admin?: boolean; passwordStdin?: boolean; config?: string; dataDir?: string }) => userAddCommand(name, o, env));
  const token = program.command('token').description('Manage API tokens');
  token
    .command('create <name>')
    .description('Print a new API token for a user (one line on stdout)')
    .option('--note <text>', 'note kept with the token')
    .option('--config <file>', 'YAML config file')
    .option('--data-dir <dir>', 'data directory')
    .action((name: string, o: { note?: string; config?: string; dataDir?: string }) => tokenCreateCommand(name, o, env));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`nbhub: ${message}\n`);
    process.exit(2);
  }
};
