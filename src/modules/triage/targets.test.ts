import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractTarget, targetKey } from './targets.ts';

test('the party complained about is found in the text and normalized so reports about it meet', () => {
  assert.equal(extractTarget('镜湖区范罗山街道人民路的好再来烧烤没有安装油烟净化设备')?.text, '好再来烧烤');
  assert.equal(extractTarget('我在瑞丰服装厂上班，公司拖欠工资')?.text, '瑞丰服装厂');
  assert.equal(extractTarget('鸠江区湾里街道一家康宁大药房无处方销售抗生素')?.text, '康宁大药房');
  assert.equal(extractTarget('繁昌区城市管理局执法人员态度恶劣')?.text, '繁昌区城市管理局');
  // a place standing for the name is never cut inside a district's name, nor keeps 附近
  assert.equal(extractTarget('弋江区白马街道附近工地夜间施工噪音扰民')?.text, '白马街道工地');
  assert.equal(extractTarget('天门山路工地渣土车撒漏')?.text, '天门山路工地');
  assert.equal(extractTarget('今天天气很好'), null);
  // a sentence before 厂房 is no factory's name
  assert.equal(extractTarget('有人在基本农田上建厂房，请国土部门查处'), null);
  assert.equal(extractTarget('华信电子厂厂区夜间噪音扰民')?.text, '华信电子厂');
  assert.equal(targetKey('芜湖市江城建筑有限公司'), targetKey('江城建筑公司'));
  assert.notEqual(targetKey('江城建筑公司'), targetKey('长江化工厂'));
});
