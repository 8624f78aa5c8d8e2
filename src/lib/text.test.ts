import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeText, segment, setUserDictionary } from './text.ts';

test('normalization: full-width to half-width, HTML remnants, whitespace, greetings and sign-offs that say nothing', () => {
  assert.equal(normalizeText('尊敬的市长您好！<p>镜湖区ＡＢＣ超市　卖过期食品&nbsp;，编号１２３。</p>谢谢！'), '镜湖区ABC超市 卖过期食品 ,编号123。');
  assert.equal(normalizeText('领导好，城管乱罚款'), '城管乱罚款');
  assert.equal(normalizeText(null), '');
});

test('segmentation drops stop words and punctuation; the city dictionary keeps its names whole', () => {
  const words = segment('弋江区澛港街道的城管执法人员乱罚款');
  assert.ok(words.includes('乱罚款') || (words.includes('乱') && words.includes('罚款')));
  assert.ok(!words.includes('的'));
  setUserDictionary(['澛港街道', '乱罚款']);
  const again = segment('弋江区澛港街道的城管执法人员乱罚款');
  assert.ok(again.includes('澛港街道'), again.join('/'));
  assert.ok(again.includes('乱罚款'), again.join('/'));
  setUserDictionary([]);
});
