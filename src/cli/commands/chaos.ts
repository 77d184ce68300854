import type { Command } from 'commander';
import { Option } from '../commander.js';
import { addRunOutputOptions } from '../options.js';
import { withExamples, type Runner } from '../program.js';

/** kubectl flags shared by chaos and canary commands. */
export function addKubeOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: config chaos.kubeContext, else the current context)')
    .option('-n, --namespace <ns>', 'namespace (default: the experiment\'s kubernetes_namespace)')
    .option('--kube-cache-dir <dir>', "kubectl's discovery cache directory (kubectl --cache-dir; also KUBECACHEDIR)");
}

export function registerChaos(program: Command, run: Runner): void {
  const chaos = withExamples(
    program
      .command('chaos')
      .description('Litmus chaos experiments through kubectl, behind an approval gate (see docs/release-engineering.md)'),
    ['shopfds-test chaos list', 'shopfds-test chaos validate', 'shopfds-test chaos show fds-pod-delete'],
  );
  const dir = new Option('--dir <path>', 'experiment directory or file (default: config chaos.experiments, else scenarios/chaos)');

  withExamples(
    chaos
      .command('list')
      .description('list the experiment files')
      .addOption(dir)
      .action(run(async () => (await import('../actions/chaos.js')).chaosListAction)),
    ['shopfds-test chaos list', 'shopfds-test chaos list --json'],
  );
  withExamples(
    chaos
      .command('validate [files...]')
      .description('check experiment files against the schema (exit 2 with every problem listed)')
      .option('--dir <path>', 'experiment directory (default: config chaos.experiments, else scenarios/chaos)')
      .action(run(async () => (await import('../actions/chaos.js')).chaosValidateAction)),
    ['shopfds-test chaos validate', 'shopfds-test chaos validate scenarios/chaos/fds-pod-delete.yaml'],
  );
  withExamples(
    chaos
      .command('show <name>')
      .description('print an experiment and the ChaosEngine manifest it renders to')
      .option('--dir <path>', 'experiment directory or file')
      .option('--probe-url <url>', 'service URL for the steady-state HTTP probe')
      .option('-n, --namespace <ns>', 'namespace override')
      .action(run(async () => (await import('../actions/chaos.js')).chaosShowAction)),
    ['shopfds-test chaos show fds-pod-delete'],
  );
  const runCmd = chaos
    .command('run <name>')
    .description('check the steady state, inject chaos, wait for the verdict, measure recovery; Ctrl-C stops the engine')
    .option('--dir <path>', 'experiment directory or file')
    .addOption(new Option('--env <environment>', 'environment (production needs --approve and an approver)').choices(['staging', 'production']))
    .option('--approve', 'approve a production or approval_required experiment')
    .option('--approver <name>', 'who approves (default: the OS user); must be in chaos.approvers or SHOPFDS_APPROVERS')
    .option('--dry-run', 'print the plan and the ChaosEngine manifest; apply nothing')
    .option('--probe-url <url>', 'service URL for the steady-state HTTP probe (overrides the experiment)')
    .option('--timeout <duration>', 'stop the engine if no final verdict by then (default: duration + 5m)')
    .option('--poll-interval <duration>', 'how often to read the ChaosResult (default 5s)')
    .option('--recovery-target <duration>', 'recovery goal for a pass: seconds or a duration such as 90s or 1m (default: config chaos.recoveryTargetSec, else 30)')
    .option('--stop-timeout <duration>', 'how long to wait for the operator to confirm a stop (default 60s)')
    .option('--request-timeout <duration>', 'per-request timeout of every kubectl call (default 20s)');
  addKubeOptions(runCmd);
  addRunOutputOptions(runCmd);
  withExamples(runCmd.action(run(async () => (await import('../actions/chaos.js')).chaosRunAction)), [
    'shopfds-test chaos run fds-pod-delete --dry-run',
    'shopfds-test chaos run fds-pod-delete --context staging --junit chaos.xml',
    'SHOPFDS_APPROVERS=alice,bob shopfds-test chaos run checkout-pod-delete-production --approve --approver alice',
  ]);
}
