import assert from 'node:assert/strict';
import { test } from 'node:test';
import { regionPrefix } from './region.ts';

test('a region filter covers what lies within: a province its cities, a city its districts, a district its townships', () => {
  assert.equal(regionPrefix('340000'), '34');
  assert.equal(regionPrefix('340200'), '3402');
  assert.equal(regionPrefix('340202'), '340202');
  assert.equal(regionPrefix('340202001'), '340202001');
});
