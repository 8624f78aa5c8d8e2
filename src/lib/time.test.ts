import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCityTime } from './time.ts';

test('city times without a zone are Asia/Shanghai; the common Chinese formats parse', () => {
  const iso = (v: unknown) => parseCityTime(v)?.toISOString() ?? null;
  assert.equal(iso('2026-03-05 10:22:33'), '2026-03-05T02:22:33.000Z');
  assert.equal(iso('2026/3/5 10:22'), '2026-03-05T02:22:00.000Z');
  assert.equal(iso('2026年3月5日 10时22分'), '2026-03-05T02:22:00.000Z');
  assert.equal(iso('2026-03-05'), '2026-03-04T16:00:00.000Z');
  assert.equal(iso('2026-03-05T10:22:33+08:00'), '2026-03-05T02:22:33.000Z');
  assert.equal(iso('2026-03-05T02:22:33Z'), '2026-03-05T02:22:33.000Z');
  assert.equal(iso(1772677353), '2026-03-05T02:22:33.000Z');
  assert.equal(iso('1772677353'), '2026-03-05T02:22:33.000Z');
  // an Excel date cell read as its day number, in city time; small numbers are not times
  assert.equal(iso(46093.375), '2026-03-12T01:00:00.000Z');
  assert.equal(iso(46093), '2026-03-11T16:00:00.000Z');
  assert.equal(iso('46093.375'), '2026-03-12T01:00:00.000Z');
  assert.equal(iso('12345'), null);
  assert.equal(iso(12), null);
  assert.equal(iso(1234567), null);
  assert.equal(iso(Number.NaN), null);
  assert.equal(iso('2026-02-31 10:00'), null);
  // a day that does not exist is refused whatever zone it is written in; a real one late in its zone is kept
  assert.equal(iso('2026-02-30T10:00:00+08:00'), null);
  assert.equal(iso('2026-02-29T10:00:00Z'), null);
  assert.equal(iso('2026-02-28T23:30:00-05:00'), '2026-03-01T04:30:00.000Z');
  assert.equal(iso('2026-03-01T01:00:00+0800'), '2026-02-28T17:00:00.000Z');
  assert.equal(iso('昨天'), null);
  assert.equal(iso(''), null);
});
