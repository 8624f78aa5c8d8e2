import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { FieldCipher, HmacSm3, headOutsideNumbers, hidePersonalNumbers, isPersonalNumber, maskPersonalNumbers, maskPhone, normalizePhone, sm3Hex } from './crypto.ts';
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

test('HMAC-SM3 from one-shot hashes gives the same bytes as Node\'s createHmac, for any key and message length', () => {
  for (const keyLength of [0, 1, 16, 32, 63, 64, 65, 100]) {
    const key = crypto.randomBytes(keyLength);
    const mac = new HmacSm3(key);
    for (const length of [0, 1, 7, 31, 32, 33, 55, 56, 63, 64, 65, 127, 128, 1000, 5000]) {
      const data = crypto.randomBytes(length);
      const expected = crypto.createHmac('sm3', key).update(data).digest('hex');
      assert.equal(mac.hex(data), expected, `key ${keyLength} bytes, message ${length} bytes`);
      assert.deepEqual(mac.digest(data), Buffer.from(expected, 'hex'));
    }
    const text = '芜湖市镜湖区 13955307777 占道经营😀';
    assert.equal(mac.hex(text), crypto.createHmac('sm3', key).update(text, 'utf8').digest('hex'));
  }
});

test('the field cipher writes standard SM4-CBC (PKCS#7) and HMAC-SM3 over IV and ciphertext, one block or many, and reads values sealed that way', () => {
  const master = Buffer.from(KEY, 'hex');
  const macKey = crypto.createHmac('sm3', master).update('zhd/mac').digest();
  const c = new FieldCipher(KEY);
  const values = ['', '1', '张三', '13955307777', '123456789012345', '1234567890123456', '欧阳娜娜娜', '34020219800101123X', '芜湖市镜湖区某某路 88 号 3 单元', 'a'.repeat(100)];
  for (const plain of values) {
    const [version, ivB64, bodyB64, macB64] = c.encrypt(plain).split('.');
    assert.equal(version, 'v1');
    const iv = Buffer.from(ivB64!, 'base64url');
    const body = Buffer.from(bodyB64!, 'base64url');
    const decipher = crypto.createDecipheriv('sm4-cbc', master, iv);
    assert.equal(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8'), plain, `“${plain}” decrypts with Node's sm4-cbc`);
    assert.equal(Buffer.from(macB64!, 'base64url').toString('hex'), crypto.createHmac('sm3', macKey).update(iv).update(body).digest('hex'));
    // and the other way: a value sealed with Node's cipher objects, as earlier versions did
    const iv2 = crypto.randomBytes(16);
    const cipher = crypto.createCipheriv('sm4-cbc', master, iv2);
    const body2 = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const mac2 = crypto.createHmac('sm3', macKey).update(iv2).update(body2).digest();
    assert.equal(c.decrypt(['v1', iv2.toString('base64url'), body2.toString('base64url'), mac2.toString('base64url')].join('.')), plain);
  }
  // the blind index and content hash are HMAC-SM3 under the index key, as before
  const indexKey = crypto.createHmac('sm3', master).update('zhd/blind-index').digest();
  assert.equal(c.blindIndex('139 5530 7777'), crypto.createHmac('sm3', indexKey).update('13955307777').digest('hex'));
  assert.equal(c.contentHash('{"a":1}'), crypto.createHmac('sm3', indexKey).update('{"a":1}').digest('hex'));
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

test('phones are recognised however they are written: spaces, dashes, +86 or 86, parentheses, full-width digits', () => {
  const written = ['13955307777', '139-5530-7777', '+86 139 5530 7777', '139 5530 7777', '8613955307777', '+86-139-5530-7777', '(+86)13955307777', '１３９５５３０７７７７', '１３９　５５３０　７７７７'];
  for (const w of written) {
    assert.equal(maskPersonalNumbers(`请联系${w}，谢谢`), '请联系139****7777，谢谢', w);
    assert.equal(hidePersonalNumbers(`请联系${w}，谢谢`), '请联系（号码已隐去），谢谢', w);
    assert.ok(isPersonalNumber(w), w);
    assert.equal(normalizePhone(w), '13955307777', w);
  }
  for (const w of ['0553-3845566', '(0553)3845566', '（０５５３）３８４５５６６', '0553 3845566', '0553 384 5566', '05533845566']) {
    assert.equal(maskPersonalNumbers(`座机${w}。`), '座机055*****5566。', w);
    assert.ok(isPersonalNumber(w), w);
    assert.equal(normalizePhone(w), '0553-3845566', w);
  }
  assert.equal(normalizePhone('010 8765 4321'), '010-87654321');
  // full-width text around the number stays as written
  assert.equal(maskPersonalNumbers('（来电人）电话：１３９-５５３０-７７７７，身份证３４０２０２１９９００１０１１２３Ｘ。'), '（来电人）电话：139****7777，身份证340***********123X。');
  // not phones: dates, amounts, record numbers, longer digit runs
  for (const s of ['2026-03-02 10:00', '金额 1395530777 元', 'WH202611260000198', '13955307777123', '第 139 号']) {
    assert.equal(maskPersonalNumbers(s), s, s);
    assert.equal(normalizePhone(s), null, s);
  }
  assert.ok(!isPersonalNumber('139 5530 777'));
});

test('phones with spaced dashes, dots, long and full-width dashes between the groups; amounts, dates, times, record numbers stay', () => {
  for (const [w, n] of [['139 - 5530 - 7717', '13955307717'], ['139.5530.7709', '13955307709'], ['139—5530—7708', '13955307708'], ['139–5530–7708', '13955307708'], ['139－5530－7708', '13955307708'], ['+86 139 — 5530 — 7708', '13955307708']] as const) {
    assert.equal(normalizePhone(w), n, w);
    assert.ok(isPersonalNumber(w), w);
    assert.equal(maskPersonalNumbers(`请联系${w}，谢谢`), `请联系139****${n.slice(-4)}，谢谢`, w);
  }
  for (const [w, n] of [['0553—3845519', '0553-3845519'], ['0553 - 3845519', '0553-3845519'], ['0553.3845519', '0553-3845519'], ['0553–384–5519', '0553-3845519'], ['（0553）－3845519', '0553-3845519']] as const) {
    assert.equal(normalizePhone(w), n, w);
    assert.equal(maskPersonalNumbers(`座机${w}。`), '座机055*****5519。', w);
  }
  const kept = ['金额 1395.53 元', '2026.03.05', '2026.03.05 13.55.30', '2026—03—05', '13:55:30', '1395530.7709 元', '139553077.09 元', '13.9553.07709', '第 139.5530 号',
    'WH202611260000198', 'WH2026.1126.0000198', '版本 10.553.3845', '139.55.30.77', '0.0553', '1395—53'];
  for (const s of kept) {
    assert.equal(maskPersonalNumbers(s), s, s);
    assert.equal(normalizePhone(s), null, s);
  }
  assert.equal(headOutsideNumbers('请回电139.5530.7709谢谢', 12), '请回电');
});
