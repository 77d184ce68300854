import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCollection } from '../../src/adapters/newman/collection.js';
import { buildNewmanOptions } from '../../src/adapters/newman/run.js';
import { FIXTURES } from './helpers.js';

describe('buildNewmanOptions', () => {
  const collection = loadCollection('failing.postman_collection.json', join(FIXTURES, 'failing.postman_collection.json'));
  const base = {
    collection,
    environment: null,
    globals: null,
    iterationData: null,
    iterationCount: null,
    folders: [],
    envVars: [{ key: 'baseUrl', value: 'http://127.0.0.1:1' }],
    timeoutRequestMs: null,
    delayRequestMs: null,
    bail: false,
    insecure: false,
    workingDir: '/work',
    html: null,
    serviceName: null,
  };

  it('passes only what was asked for and keeps Newman reporters off', () => {
    expect(buildNewmanOptions(base)).toEqual({
      collection: collection.json,
      envVar: [{ key: 'baseUrl', value: 'http://127.0.0.1:1' }],
      workingDir: '/work',
      reporters: [],
      reporter: {},
    });
  });

  it('maps every run option and the HTML reporter', () => {
    const options = buildNewmanOptions({
      ...base,
      environment: { values: [] },
      globals: { values: [{ key: 'g', value: '1' }] },
      iterationData: '/data.csv',
      iterationCount: 3,
      folders: ['Checks', 'No assertions'],
      timeoutRequestMs: 500,
      delayRequestMs: 20,
      bail: true,
      insecure: true,
      html: { path: '/out/report.html', skipHeaders: ['Authorization'], skipVariables: ['password'] },
    });
    expect(options).toMatchObject({
      environment: { values: [] },
      globals: { values: [{ key: 'g', value: '1' }] },
      iterationData: '/data.csv',
      iterationCount: 3,
      folder: ['Checks', 'No assertions'],
      timeoutRequest: 500,
      delayRequest: 20,
      bail: true,
      insecure: true,
      reporters: ['htmlextra'],
      reporter: { htmlextra: { export: '/out/report.html', skipHeaders: ['Authorization'], skipEnvironmentVars: ['password'], displayProgressBar: false } },
    });
    expect(buildNewmanOptions({ ...base, folders: ['Checks'] }).folder).toBe('Checks');
  });
});
