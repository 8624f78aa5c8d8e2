import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskPersonalNumbers } from '../../lib/crypto.ts';
import { publicText } from './public.ts';

test('the public page masks a phone however it is written, exactly as the problem pages do', () => {
  const written = ['139 5530 7777', '139-5530-7777', '+86 139 5530 7777', '8613955307777', '0086 139 5530 7777', '(+86)13955307777', '１３９５５３０７７７７'];
  for (const w of written) assert.equal(publicText(`请联系${w}。`), '请联系139****7777。', w);
  for (const w of ['0553-3845566', '05533845566', '(0553)3845566', '（０５５３）３８４５５６６', '0553 384 5566']) assert.equal(publicText(`咨询电话${w}。`), '咨询电话055*****5566。', w);
  for (const w of ['010-87654321', '0553-38455667', '身份证34020219900101123X']) assert.equal(publicText(w), maskPersonalNumbers(w), w);
  // amounts, case numbers and dates stay as written; a handler named after their role keeps the surname only
  assert.equal(publicText('承办人赵强现场核实，案件编号 2026001245，罚款 1500000 元，2026-03-02 办结'), '承办人赵某现场核实，案件编号 2026001245，罚款 1500000 元，2026-03-02 办结');
});
