import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldCipher, maskPhone, sm3Hex } from './crypto.ts';
import { scrubPersonalNumbers } from './logger.ts';

const KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

test('SM3 matches the GB/T 32905 test vector for "abc"', () => {
  assert.equal(sm3Hex('abc'), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
});

test('SM4 field cipher round-trips, uses a fresh IV, and rejects tampering or a wrong key', () => {
  const c = new FieldCipher(KEY);
  const a = c.encrypt('13812345678');
  const b = c.encrypt('13812345678');
  assert.notEqual(a, b);
  assert.equal(c.decrypt(a), '13812345678');
  assert.ok(!a.includes('13812345678'));
  const parts = a.split('.');
  parts[2] = Buffer.from('tampered').toString('base64url');
  assert.throws(() => c.decrypt(parts.join('.')), /校验失败/);
  assert.throws(() => new FieldCipher('b'.repeat(32)).decrypt(a), /校验失败/);
  assert.equal(c.blindIndex('138 1234 5678'), c.blindIndex('13812345678'));
});

test('phone masks keep the first three and last four digits', () => {
  assert.equal(maskPhone('13812345678'), '138****5678');
  assert.equal(maskPhone('0553-1234567'), '055*****4567');
  assert.equal(maskPhone(null), null);
});

test('log scrubbing hides mobiles, landlines and ID numbers', () => {
  const line = scrubPersonalNumbers('来电 13812345678，座机 0553-5812345，身份证 34020219800101123X');
  assert.ok(!line.includes('13812345678'));
  assert.ok(!line.includes('5812345'));
  assert.ok(!line.includes('34020219800101123X'));
});
