import type { Command } from 'commander';
import { Option } from '../commander.js';
import { addRunOutputOptions } from '../options.js';
import { withExamples, type Runner } from '../program.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerApi(program: Command, run: Runner): void {
  withExamples(
    addRunOutputOptions(
      program
        .command('api [collections...]')
        .description('run Postman collections with Newman; one result per request, every pm.test a case, secrets redacted')
        .option('-e, --environment <file>', 'Postman environment file (default: config api.environment, or the one environment next to the default collections)')
        .option('-g, --globals <file>', 'Postman globals file')
        .option('-d, --iteration-data <file>', 'CSV or JSON data file, one iteration per row')
        .option('-n, --iteration-count <n>', 'number of iterations')
        .option('--folder <name>', 'run only this folder or request (repeatable)', collect)
        .option('--env-var <key=value>', 'set an environment variable (repeatable)', collect)
        .option('--timeout-request <ms>', 'request timeout in milliseconds (default: config api.timeoutRequestMs, else none)')
        .option('--delay-request <ms>', 'delay between requests in milliseconds')
        .option('--bail', 'stop the collection run at the first failure')
        .option('-k, --insecure', 'accept self-signed TLS certificates')
        .option('--base-url <url>', 'system under test: sets the baseUrl variable (default: config baseUrl, else the bundled demo shop is started)')
        .addOption(new Option('--env <environment>', 'environment recorded with the run').choices(['local', 'staging', 'production']))
        .option('--service <name>', 'service name recorded for each suite (default: the collection\'s "service" variable, else its name)')
        .option('--name <name>', 'run name (default: the collection names)')
        .option('--html <file>', "also write Newman's HTML report (newman-reporter-htmlextra), secrets redacted"),
    ).action(run(async () => (await import('../actions/api.js')).apiAction)),
    [
      'shopfds-test api',
      'shopfds-test api collections/shopfds-api.postman_collection.json -e collections/shopfds-local.postman_environment.json',
      'shopfds-test api my-api.postman_collection.json --base-url https://staging.example.com --env staging --junit api.xml',
      'shopfds-test api --folder Auth --iteration-count 3 --html newman-report.html',
    ],
  );
}
