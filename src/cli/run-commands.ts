import type { Command } from 'commander';
import { UsageError } from '../model/errors.js';
import { withExamples } from './commander.js';
import type { Runner } from './context.js';
import { addOptionTable, SHARED_RUN_OPTIONS, type OptionSpec } from './run-options.js';

/*
 * The run commands as data. Each is an option table, its positional arguments, the tool it runs (a
 * name in src/adapters/registry.ts) and its help; the program defines them from this list, and one
 * generic action (run-tool.ts) runs any of them through the pipeline. A new tool with a command of
 * its own is its folder src/adapters/<tool>/, one registry line and one entry here: no command file,
 * no edit of program.ts. Loads nothing heavy: `--help` builds the commands from these tables.
 */

/** A request as the action hands it to the tool: the normalized options plus the positional arguments. */
export type RunRequest = Readonly<Record<string, unknown>>;

/** One run command. */
export interface RunCommandSpec {
  /** Commander's term: the name and the positional arguments (`e2e [paths...]`). */
  readonly term: string;
  /** The line in the top-level `--help`. */
  readonly summary: string;
  /** The command's own `--help` description. */
  readonly description: string;
  /** Request keys of the positional arguments, in the order of `term` (`paths` for `e2e [paths...]`). */
  readonly positionals: readonly string[];
  /** The command's own options; the shared run options (--env, --base-url, --name, ...) are added to every run command. */
  readonly table: readonly OptionSpec[];
  /** The registered tool that runs it, or how to choose one from the request (perf: k6 or Locust). */
  readonly tool: string | ((request: RunRequest) => string);
  readonly examples: readonly string[];
  /** More commander wiring the table cannot say (hooks). */
  readonly configure?: (cmd: Command) => void;
}

/** A global `--config` that names a Playwright config belongs to `e2e`, not to shopfds-test. */
const PLAYWRIGHT_CONFIG = /\.(m|c)?[jt]s$/;

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/** `e2e`'s own options; the shared run options (--env, --base-url, --name, --run-group, ...) come from SHARED_RUN_OPTIONS. */
export const E2E_OPTIONS: readonly OptionSpec[] = [
  { key: 'config', flags: '--config <file>', description: 'a playwright.config.(ts|js|mjs) to run as is (its projects and specs), with results normalized' },
  { key: 'tag', flags: '--tag <tags>', description: 'only scenarios (or specs) with one of these tags; repeatable or comma-separated', list: 'comma' },
  { key: 'type', flags: '--type <types>', description: 'only scenarios of these test types (functional, regression, smoke, integration)', list: 'comma' },
  { key: 'priority', flags: '--priority <priorities>', description: 'only scenarios of these priorities (critical, high, medium, low)', list: 'comma' },
  { key: 'browser', flags: '--browser <browsers>', description: 'only these browsers (chromium, firefox, webkit)', list: 'comma' },
  { key: 'grep', flags: '--grep <regexp>', description: 'only tests whose title matches' },
  { key: 'retries', flags: '--retries <n>', description: "retries per test, overriding each scenario's retry_count and a Playwright config's retries (default: config e2e.retries)" },
  { key: 'workers', flags: '--workers <n>', description: 'parallel Playwright workers (default: config e2e.workers)' },
  // From the config file only: a Playwright config's own retries/workers win over them, a flag over both.
  { key: 'configRetries', config: 'e2e.retries' },
  { key: 'configWorkers', config: 'e2e.workers' },
  { key: 'shard', flags: '--shard <i/n>', description: 'run shard i of n (Playwright --shard)' },
  { key: 'configFromFile', config: 'e2e.playwrightConfig' },
  { key: 'scenariosDir', config: 'e2e.scenarios' },
  { key: 'defaultBrowser', config: 'e2e.browser' },
];

/** `api`'s own options; the shared run options (--env, --base-url, --name, --run-group, ...) come from SHARED_RUN_OPTIONS. */
export const API_OPTIONS: readonly OptionSpec[] = [
  { key: 'environment', flags: '-e, --environment <file>', description: 'Postman environment file (default: config api.environment, or the one environment next to the default collections)', config: 'api.environment' },
  { key: 'globals', flags: '-g, --globals <file>', description: 'Postman globals file' },
  { key: 'iterationData', flags: '-d, --iteration-data <file>', description: 'CSV or JSON data file, one iteration per row' },
  { key: 'iterationCount', flags: '-n, --iteration-count <n>', description: 'number of iterations' },
  { key: 'folder', flags: '--folder <name>', description: 'run only this folder or request (repeatable)', list: 'repeat' },
  { key: 'envVar', flags: '--env-var <key=value>', description: 'set an environment variable (repeatable)', list: 'repeat' },
  { key: 'timeoutRequest', flags: '--timeout-request <ms>', description: 'request timeout in milliseconds (default: config api.timeoutRequestMs, else none)', config: 'api.timeoutRequestMs' },
  { key: 'delayRequest', flags: '--delay-request <ms>', description: 'delay between requests in milliseconds' },
  { key: 'bail', flags: '--bail', description: 'stop the collection run at the first failure' },
  { key: 'insecure', flags: '-k, --insecure', description: 'accept self-signed TLS certificates' },
  { key: 'service', flags: '--service <name>', description: 'service name recorded for each suite (default: the collection\'s "service" variable, else its name)' },
  { key: 'newmanHtml', flags: '--newman-html <file>', description: "also write Newman's own HTML report (newman-reporter-htmlextra), secrets redacted" },
  { key: 'configCollections', config: 'api.collections' },
  { key: 'redact', config: 'api.redact' },
];

/** `perf`'s own options; the shared run options (--env, --base-url, --name, ...) come from SHARED_RUN_OPTIONS. */
export const PERF_OPTIONS: readonly OptionSpec[] = [
  { key: 'type', flags: '--type <type>', description: 'performance test type (default: from the script name, else load)', choices: ['load', 'spike', 'soak', 'stress'] },
  { key: 'targetTps', flags: '--target-tps <n>', description: 'expected requests per second; a lower actual rate is reported' },
  { key: 'failUnderTarget', flags: '--fail-under-target', description: 'fail the run when the actual rate is below --target-tps' },
  { key: 'vus', flags: '--vus <n>', description: 'virtual users (k6 --vus; overrides the script)' },
  { key: 'duration', flags: '--duration <duration>', description: 'test duration such as 30s, 5m, 1h (k6 --duration; overrides the script)' },
  { key: 'scriptEnv', flags: '-e, --script-env <KEY=VALUE>', description: 'variable for the script (k6 -e); repeatable', list: 'repeat' },
  { key: 'interval', flags: '--interval <duration>', description: 'time-series bucket such as 1s, 500ms, 10s (default: config perf.intervalSec, else 1s)', config: 'perf.intervalSec', fromConfig: (sec) => `${Number(sec) * 1000}ms` },
  { key: 'baseline', flags: '--baseline <run-id|last-passed>', description: 'compare p95 with a stored perf run, or the newest passed perf run of the same name' },
  { key: 'maxRegression', flags: '--max-regression <percent>', description: 'with --baseline: fail the run when p95 rises more than this (default 10%)' },
  { key: 'scriptsDir', config: 'perf.scripts' },
  { key: 'k6Path', config: 'perf.k6Path' },
  { key: 'locustPath', config: 'perf.locustPath' },
  { key: 'tool', flags: '--tool <tool>', description: 'load tool (default: locust for a .py file, else k6)', choices: ['k6', 'locust'] },
  { key: 'users', flags: '--users <n>', description: 'Locust users (locust --users; default 15; --vus works too)' },
  { key: 'spawnRate', flags: '--spawn-rate <n>', description: 'Locust users started per second (default 5)' },
  { key: 'host', flags: '--host <url>', description: 'Locust --host (same as --base-url)' },
  { key: 'exitCodeOnError', flags: '--exit-code-on-error <n>', description: "Locust's exit code when requests failed (default 1); 0: failed requests do not fail the run" },
  { key: 'maxErrorRate', flags: '--max-error-rate <percent>', description: 'Locust criterion: fail when more than this share of requests failed' },
  { key: 'maxP95', flags: '--max-p95 <ms>', description: 'Locust criterion: fail when the 95th percentile response time is higher' },
  { key: 'maxP99', flags: '--max-p99 <ms>', description: 'Locust criterion: fail when the 99th percentile response time is higher' },
  { key: 'maxAvg', flags: '--max-avg <ms>', description: 'Locust criterion: fail when the average response time is higher' },
];

/** The load tool of `perf`: --tool, else Locust for a .py file, else k6. */
export function perfToolOf(request: { readonly tool?: unknown; readonly script: string }): 'k6' | 'locust' {
  if (request.tool !== undefined) {
    if (request.tool !== 'k6' && request.tool !== 'locust') throw new UsageError(`--tool must be k6 or locust (got "${String(request.tool)}")`);
    return request.tool;
  }
  return /\.py$/i.test(request.script) ? 'locust' : 'k6';
}

const RUN_COMMANDS = new Map<string, RunCommandSpec>([
  [
    'e2e',
    {
      term: 'e2e [paths...]',
      summary: 'run E2E scenarios or Playwright specs with the real Playwright test runner',
      description: 'run E2E scenario files (default scenarios/) or Playwright specs with the real Playwright test runner',
      positionals: ['paths'],
      table: E2E_OPTIONS,
      tool: 'playwright',
      examples: [
        'shopfds-test e2e',
        'shopfds-test e2e scenarios/catalog-smoke.yaml --retries 0',
        'shopfds-test e2e --tag checkout --priority critical,high',
        'shopfds-test e2e --base-url https://staging.shop.example --env staging',
        'shopfds-test e2e --config playwright.config.ts --junit results.xml',
        'shopfds-test e2e --shard 1/4 --run-group "$GITHUB_RUN_ID"',
      ],
      configure: (cmd) =>
        // The program's own --config (shopfds.config.*) is parsed wherever it appears; a Playwright
        // config given after `e2e` is moved back to this command before the action runs.
        void cmd.hook('preAction', (_self, action) => {
          const root = rootOf(action);
          const given = root.getOptionValue('config') as string | undefined;
          if (given !== undefined && PLAYWRIGHT_CONFIG.test(given)) {
            root.setOptionValue('config', undefined);
            action.setOptionValue('config', given);
          }
        }),
    },
  ],
  [
    'api',
    {
      term: 'api [collections...]',
      summary: 'run Postman collections with Newman, secrets redacted',
      description: 'run Postman collections with Newman; one result per request, every pm.test a case, secrets redacted',
      positionals: ['collections'],
      table: API_OPTIONS,
      tool: 'newman',
      examples: [
        'shopfds-test api',
        'shopfds-test api collections/shopfds-api.postman_collection.json -e collections/shopfds-local.postman_environment.json',
        'shopfds-test api my-api.postman_collection.json --base-url https://staging.example.com --env staging --junit api.xml',
        'shopfds-test api --folder Auth --iteration-count 3 --newman-html newman-report.html --html report.html',
      ],
    },
  ],
  [
    'perf',
    {
      term: 'perf <script>',
      summary: 'run a k6 or Locust load test: TPS, p95/p99, error rate and a time series',
      description:
        'run a load test and store throughput, response times, error rate and a per-interval time series. ' +
        'k6 (a .js script, or a name in k6/: load, spike, soak, stress): every threshold and check is a case, a crossed threshold ' +
        'fails the run (exit 1), a check that failed only some of the time is flaky. Locust (a .py locustfile, or a name in locust/ with ' +
        '--tool locust, e.g. shop; Locust --duration default 20s): every request name is a case, failed requests fail the run unless ' +
        '--exit-code-on-error 0, and --max-error-rate/--max-p95/--max-p99/--max-avg are the pass/fail criteria',
      positionals: ['script'],
      table: PERF_OPTIONS,
      tool: (request) => {
        const tool = perfToolOf(request as { tool?: unknown; script: string });
        if (tool === 'locust' && request.host !== undefined && request.baseUrl !== undefined && request.host !== request.baseUrl) throw new UsageError('give --host or --base-url, not both');
        return tool;
      },
      examples: [
        'shopfds-test perf load',
        'shopfds-test perf spike --target-tps 40 --fail-under-target',
        'shopfds-test perf k6/soak.js -e DURATION=30m -e VUS=20 --interval 10s',
        'shopfds-test perf load --baseline last-passed --max-regression 10%',
        'shopfds-test perf ./checkout.js --base-url https://staging.shop.example --env staging --junit perf.xml',
        'shopfds-test perf locust/shop.py --users 15 --spawn-rate 5 --duration 20s --max-p95 500 --max-error-rate 1',
        'shopfds-test perf shop --tool locust --host https://staging.shop.example --pushgateway http://127.0.0.1:9091',
      ],
    },
  ],
]);

/** Adds (or replaces) a run command; a plug-in or a test defines its tool's command this way. */
export function registerRunCommand(spec: RunCommandSpec): void {
  RUN_COMMANDS.set(commandNameOfTerm(spec.term), spec);
}

/** The run command called `name`, or undefined. */
export function runCommandSpec(name: string): RunCommandSpec | undefined {
  return RUN_COMMANDS.get(name);
}

/** The run commands, in listing order. */
export function runCommands(): [string, RunCommandSpec][] {
  return [...RUN_COMMANDS];
}

function commandNameOfTerm(term: string): string {
  return term.split(' ')[0]!;
}

/** Defines a run command from its spec: its table, the shared run options, the generic action, its examples. */
export function defineRunCommand(program: Command, run: Runner, spec: RunCommandSpec): Command {
  const cmd = program.command(spec.term).description(spec.description);
  addOptionTable(addOptionTable(cmd, spec.table), SHARED_RUN_OPTIONS);
  cmd.action(run(async () => (await import('./run-tool.js')).runCommandAction(spec)));
  spec.configure?.(cmd);
  withExamples(cmd, spec.examples);
  return cmd;
}
