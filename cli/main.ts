#!/usr/bin/env node
// The flotilla command.
import { runAPIServer } from './apiserver.js';
import { runUp } from './up.js';

const USAGE = `Usage: flotilla <command> [flags]

Commands:
  up            Start the control plane (apiserver; scheduler and controller-manager come later)
                  --data-dir DIR (default ./.flotilla)  --port N (default 6443)
  apiserver     Run the apiserver
                  --data-dir DIR  [--port 6443] [--bind-address 127.0.0.1] [--log-level info]
                  [--tls-san NAME ...] [--token-auth-file FILE]
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'apiserver':
      return runAPIServer(rest);
    case 'up':
      return runUp(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`flotilla: unknown command "${command}"\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`flotilla: ${err.message}\n`);
    process.exitCode = 1;
  },
);
