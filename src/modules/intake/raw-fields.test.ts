import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRawRecord } from './raw-fields.ts';

test('a 人民网 item reads field by field: meanings beside the board\'s own names, Unix seconds as city time', () => {
  const fields = describeRawRecord('people_board', {
    tid: 1234567, subject: '夜市油烟扰民', dateline: 1772672820, forumName: '芜湖市市长', gradeSpeed: 4, answerDateline: '',
  });
  const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
  assert.deepEqual(byKey.subject, { key: 'subject', label: '标题', value: '夜市油烟扰民' });
  // 1772672820 is 2026-03-05 09:07:00 in Beijing time, whatever the server's own zone
  assert.equal(byKey.dateline!.value, '2026-03-05 09:07:00（原值 1772672820）');
  assert.equal(byKey.forumName!.label, '留言对象（领导留言板）');
  assert.equal(byKey.gradeSpeed!.label, '办理速度评分');
  assert.equal(byKey.answerDateline!.value, '（空）');
  assert.equal(byKey.tid!.label, '记录编号');
});

test('a spreadsheet row keeps its own headers: a header that is its meaning gets no second label, a synonym gets one', () => {
  const fields = describeRawRecord('hotline12345', { 工单编号: 'RX1', 来电时间: '2026-03-05 09:07', 诉求内容: '噪音', 备注: '回访两次' });
  assert.deepEqual(fields, [
    { key: '工单编号', label: '记录编号', value: 'RX1' },
    { key: '来电时间', label: '时间', value: '2026-03-05 09:07' },
    { key: '诉求内容', label: '内容', value: '噪音' },
    { key: '备注', label: null, value: '回访两次' },
  ]);
  // an Excel day number read without its format is written out too
  assert.equal(describeRawRecord('hotline12345', { 受理时间: 46086.375 })[0]!.value, '2026-03-05 09:00:00（原值 46086.375）');
});

test('nested objects read as dotted names; pushed files by name and size, a refused one with why', () => {
  const fields = describeRawRecord('wanshitong', {
    orderId: 'W1', location: { address: '镜湖区', lng: 118.38 },
    attachments: [
      { name: '现场.jpg', type: 'image/jpeg', size: 204800, sm3: 'ab'.repeat(32) },
      { name: '近景.jpg', type: 'image/jpeg', size: 102400, sm3: 'cd'.repeat(32), refused: '每件反映最多 9 个附件' },
      { name: '说明.exe', refused: '类型不允许' },
    ],
  });
  assert.deepEqual(fields.map((f) => [f.key, f.label, f.value]), [
    ['orderId', '记录编号', 'W1'],
    ['location.address', '地址', '镜湖区'],
    ['location.lng', '经度', '118.38'],
    ['attachments', '附件', '现场.jpg（200 KB）；近景.jpg（100 KB）（未保存：每件反映最多 9 个附件）；说明.exe（未保存：类型不允许）'],
  ]);
});

test('the forms\' own records: an ISO time in the city\'s time, yes/no for true/false', () => {
  const fields = describeRawRecord('web_form', { submittedAt: '2026-11-12T06:49:13.000Z', confidential: true, unitName: '镜湖区城市管理局' });
  assert.deepEqual(fields.map((f) => [f.label, f.value]), [
    ['时间', '2026-11-12 14:49:13（原值 2026-11-12T06:49:13.000Z）'],
    ['是否保密', '是'],
    ['录入/收信单位', '镜湖区城市管理局'],
  ]);
});
