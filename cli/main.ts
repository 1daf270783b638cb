#!/usr/bin/env node
// The flotilla command.
import { runAPIServer } from './apiserver.js';
import { runControllerManager } from './controllermanager.js';
import { limitHeapGrowth } from './heap.js';
import { runJoin, runUnjoin } from './join.js';
import { runScheduler } from './scheduler.js';
import { runMember, runMembers } from './members.js';
import { runUp } from './up.js';

const USAGE = `Usage: flotilla <command> [flags]

Commands:
  up            Start the control plane: apiserver, scheduler and controller-manager as child processes
                  [--data-dir DIR (default ./.flotilla)] [--port 6443] [--demo-members N]
  apiserver     Run the apiserver
                  --data-dir DIR  [--port 6443] [--bind-address 127.0.0.1] [--log-level info]
                  [--tls-san NAME ...] [--token-auth-file FILE]
  member        Run one simulated member cluster (apiserver + workload simulator)
                  --name NAME --data-dir DIR [--port 7443] [--nodes 3] [--capacity CPU:MEM[:PODS]]
                  [--labels k=v,...] [--regions R] [--zones Z] [--ready-delay 200ms]
  members       Run N simulated member clusters in one process, under /clusters/memberK
                  --count N --data-dir DIR [--port 7443] [--capacity C1,C2,...] [--regions R1,R2,...]
                  [--zones Z1,...] [--labels k=v,...]   (lists are assigned round-robin)
                  [--record-workload-changes]   (for benchmarks: GET /members/workload-changes)
  scheduler     Run the scheduler           --kubeconfig F [--port 10351] [--leader-elect=true]
  controller-manager  Run the controllers  --kubeconfig F [--port 10357] [--leader-elect=true]
  join NAME     Join a member cluster in push mode
                  --cluster-kubeconfig FILE [--cluster-context CTX] [--kubeconfig FED]
                  [--provider P] [--region R] [--zones Z1,Z2] [--labels k=v,...]
  unjoin NAME   Remove a member cluster after the controllers cleaned up for it  [--kubeconfig FED]
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'apiserver':
      return runAPIServer(rest);
    case 'up':
      return runUp(rest);
    case 'member':
      return runMember(rest);
    case 'members':
      return runMembers(rest);
    case 'scheduler':
      return runScheduler(rest);
    case 'controller-manager':
      return runControllerManager(rest);
    case 'join':
      return runJoin(rest);
    case 'unjoin':
      return runUnjoin(rest);
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

limitHeapGrowth();
main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`flotilla: ${err.message}\n`);
    process.exitCode = 1;
  },
);
