import type { Command } from 'commander';
import { Option } from '../commander.js';
import { addRunOutputOptions } from '../options.js';
import { withExamples, type Runner } from '../program.js';

function addCanaryOptions(cmd: Command): Command {
  cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: config canary.kubeContext, else the current context)')
    .option('-n, --namespace <ns>', "namespace (default: config canary.namespace, else the context's namespace)")
    .option('--kube-cache-dir <dir>', "kubectl's discovery cache directory (kubectl --cache-dir; also KUBECACHEDIR)")
    .option('--request-timeout <duration>', 'per-request timeout of every kubectl call (default 20s)')
    .option('--previous-version <semver>', 'the version being replaced, when the primary already runs the new one')
    .addOption(new Option('--env <environment>', 'environment recorded with the run').choices(['local', 'staging', 'production']));
  return addRunOutputOptions(cmd);
}

export function registerCanary(program: Command, run: Runner): void {
  const canary = withExamples(program.command('canary').description('Flagger canary releases through kubectl (see docs/release-engineering.md)'), [
    'shopfds-test canary status checkout',
    'shopfds-test canary watch checkout',
  ]);
  withExamples(
    addCanaryOptions(
      canary
        .command('status <name>')
        .description('read a Canary once and record it (exit 1 when Flagger rolled it back)'),
    ).action(run(async () => (await import('../actions/canary.js')).canaryStatusAction)),
    ['shopfds-test canary status fds -n shopfds', 'shopfds-test canary status fds -n shopfds --json'],
  );
  withExamples(
    addCanaryOptions(
      canary
        .command('watch <name>')
        .description('poll a Canary until Flagger promotes it (exit 0) or rolls it back (exit 1); a timeout fails')
        .option('--timeout <duration>', 'give up after this long (default: config canary.timeoutSec, else 30m)')
        .option('--interval <duration>', 'time between polls (default 10s)')
        .addOption(new Option('--poll-interval <duration>', 'alias of --interval').hideHelp()),
    ).action(run(async () => (await import('../actions/canary.js')).canaryWatchAction)),
    ['shopfds-test canary watch fds -n shopfds --timeout 20m --junit canary.xml', 'shopfds-test canary watch ecommerce-backend --context prod -n shopfds --json'],
  );
}
