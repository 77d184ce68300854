import type { Command } from 'commander';
import type { Runner } from '../program.js';
import { addRunCommand, type OptionSpec } from '../run-options.js';

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

export function registerApi(program: Command, run: Runner): void {
  addRunCommand(program, run, {
    term: 'api [collections...]',
    description: 'run Postman collections with Newman; one result per request, every pm.test a case, secrets redacted',
    table: API_OPTIONS,
    load: async () => (await import('../actions/api.js')).apiAction,
    examples: [
      'shopfds-test api',
      'shopfds-test api collections/shopfds-api.postman_collection.json -e collections/shopfds-local.postman_environment.json',
      'shopfds-test api my-api.postman_collection.json --base-url https://staging.example.com --env staging --junit api.xml',
      'shopfds-test api --folder Auth --iteration-count 3 --newman-html newman-report.html --html report.html',
    ],
  });
}
