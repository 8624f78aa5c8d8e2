import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlaceMatcher, type RegionRow } from './places.ts';

const regions: RegionRow[] = [
  { code: '340200', name: '芜湖市', level: 'city' },
  { code: '340210', name: '湾沚区', level: 'county', former_names: ['芜湖县'] },
  { code: '340210001', name: '六郎镇', level: 'township' },
  { code: '340223', name: '南陵县', level: 'county' },
  { code: '340281', name: '无为市', level: 'county', former_names: ['无为县'] },
];

test('a district written by its former name is found; an unknown 县 is not taken for the city of the same name', () => {
  const places = new PlaceMatcher(regions, []);
  assert.equal(places.region('芜湖县', null), '340210');
  assert.equal(places.region(null, '芜湖县城关菜市场门口'), '340210');
  assert.equal(places.region('无为县', null), '340281');
  assert.equal(places.region('芜湖县', '芜湖县六郎镇'), '340210001', 'the township still wins');
  assert.equal(places.region('芜湖市', null), '340200');
  assert.equal(places.region('芜湖', null), '340200');
  assert.equal(places.region('南陵区', null), '340223', 'a wrong suffix on a county still finds it');

  const withoutFormerNames = new PlaceMatcher(regions.map(({ former_names: _, ...r }) => r), []);
  assert.equal(withoutFormerNames.region('芜湖县', null), null, 'kept as text and flagged, not the whole city');
});
