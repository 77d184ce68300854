import { describe, expect, it } from 'vitest';
import { formatDurationText, parseDuration } from '../../src/model/index.js';
import { parseDurationMs } from '../../src/adapters/kube/duration.js';
import { parseDurationOption, parseSecondsOption, parseSince } from '../../src/cli/parse.js';
import { parseDurationFlag } from '../../src/cli/actions/chaos-kube.js';
import { k6Duration, parseInterval } from '../../src/adapters/k6/index.js';

describe('the one duration grammar', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['7d', 7 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['1d12h', 36 * 3_600_000],
    ['250us', 0.25],
    ['45', 45_000],
    [' 10s ', 10_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 's', '1x', '1h 30m', '-5s', '1h30', 'm1', 'last tuesday'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('a bare number is seconds unless the option refuses it', () => {
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration(30)).toBe(30_000);
    expect(parseDuration('30', { bare: 'none' })).toBeNull();
  });

  it('every parser goes through it', () => {
    for (const text of ['90s', '1h30m', '1m', '500ms']) {
      const ms = parseDuration(text)!;
      expect(parseDurationMs(text)).toBe(ms);
      expect(parseDurationOption('--x', text)).toBe(ms);
      expect(parseDurationFlag('--timeout', text, 0)).toBe(ms);
      expect(parseInterval(text)).toBe(ms);
      expect(Date.parse(parseSince(text, 1_000_000_000_000))).toBe(1_000_000_000_000 - ms);
    }
    expect(parseSecondsOption('--recovery-target', '1m')).toBe(60);
    expect(parseSecondsOption('--recovery-target', '45')).toBe(45);
    expect(() => parseSecondsOption('--recovery-target', '1.5s')).toThrow(/whole number of seconds/);
    expect(() => parseDurationFlag('--timeout', 'soon', 0)).toThrow(/--timeout must be a duration/);
    expect(() => parseInterval('5ms')).toThrow(/at least 10ms/);
  });

  it('k6 gets what it understands: its own spelling unchanged, days and bare seconds spelt out', () => {
    expect(k6Duration('1h30m')).toBe('1h30m');
    expect(k6Duration('90s')).toBe('90s');
    expect(k6Duration('1d')).toBe('24h');
    expect(k6Duration('90')).toBe('1m30s');
    expect(() => k6Duration('forever')).toThrow(/--duration must be a k6 duration/);
  });

  it('formats milliseconds in the grammar', () => {
    expect(formatDurationText(5_400_000)).toBe('1h30m');
    expect(formatDurationText(1500)).toBe('1s500ms');
    expect(parseDuration(formatDurationText(3_723_004))).toBe(3_723_004);
  });
});
