import { headOutsideNumbers, normalizePhone } from '../../lib/crypto.ts';
import { parseCityTime } from '../../lib/time.ts';
import type { CanonicalField, FieldSpec } from './fields.ts';
import { GRADE_NAMES, gradeOf, kindCodeOf } from './kinds.ts';

/** A row the pipeline cannot read, with the field at fault; the row is reported, never silently dropped. */
export class RowError extends Error {
  /** The record's own id, when it has one (set by the preparer). */
  externalId: string | null = null;
  constructor(readonly field: string | null, message: string) {
    super(message);
  }
}

export type CanonicalRecord = Partial<Record<CanonicalField, unknown>>;

export type ProblemDraft = {
  externalId: string | null;
  title: string;
  body: string;
  kindCode: string | null;
  kindText: string | null;
  reportedAt: Date;
  address: string | null;
  regionText: string | null;
  targetText: string | null;
  unitText: string | null;
  reporterName: string | null;
  reporterPhone: string | null;
  confidential: boolean;
  source: { state: string | null; handledBy: string | null; reply: string | null; repliedAt: Date | null; satisfaction: string | null };
};

export type FileFormat = 'csv' | 'xlsx' | 'jsonl' | 'json';

export interface ChannelAdapter {
  channel: string;
  formats: FileFormat[];
  specs: FieldSpec[];
  /** Each inner list: at least one of these fields must have a column. */
  required: CanonicalField[][];
  /** Fields whose values are SM4-encrypted in the stored raw record. */
  personal: CanonicalField[];
  toDraft(rec: CanonicalRecord): ProblemDraft;
}

const PERSONAL: CanonicalField[] = ['name', 'phone', 'idNumber', 'ip'];
const ID_NUMBER_HEADERS = ['身份证号', '身份证号码', '身份证', '证件号码', '证件号', '身份证件号码', '来电人身份证', '来电人身份证号', '来电人身份证号码', '诉求人身份证', '诉求人身份证号', '诉求人身份证号码', '反映人身份证号', '反映人身份证号码', '来信人身份证号', 'idNumber', 'idCard'];
const TITLE_CHARS = 30;

export const text = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  const s = (typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : String(v)).replace(/\s+/g, ' ').trim();
  return s === '' ? null : s;
};

function time(v: unknown, field: string, label: string, required: boolean): Date | null {
  if (v === null || v === undefined || v === '') {
    if (required) throw new RowError(field, `缺少${label}`);
    return null;
  }
  const d = parseCityTime(v);
  if (!d) throw new RowError(field, `${label}“${String(v).slice(0, 30)}”无法识别为时间`);
  return d;
}

/** What people write when they give no name or number (匿名, 无, 不详, 未提供, -): no one's, so neither masked nor indexed. */
const NO_VALUE = /^(?:匿名|匿名用户|匿名网友|无|没有|无名|无名氏|不详|未知|未提供|不提供|未留|未填|未填写|暂无|空|保密|不愿透露|拒绝透露|null|none|n\/?a|[-—_/.。*?]+)$/i;
export const isNoValue = (s: string): boolean => NO_VALUE.test(s.normalize('NFKC').replace(/\s+/g, ''));

/** A reporter's name or phone as given: null when none was. */
function given(v: unknown): string | null {
  const t = text(v);
  return t === null || isNoValue(t) ? null : t;
}

/** The reporter's phone in one form, for its blind index and mask (the raw record keeps it as written); not a phone: as written. */
export function reporterPhone(v: unknown): string | null {
  const t = given(v);
  return t && (normalizePhone(t) ?? t);
}

const YES = /^(是|yes|y|true|1)$/i;
const NO = /^(否|no|n|false|0)$/i;
/**
 * 是否保密 / 是否公开 → whether the reporter must be kept from the handling unit. Either asking for it is enough (保密
 * 否 but 公开 否 is still kept back); blank: no; a value not understood: yes.
 */
function confidentialOf(confidential: unknown, isPublic: unknown): boolean {
  const c = text(confidential);
  const p = text(isPublic);
  const asksSecrecy = c !== null && !(NO.test(c) || /^(不保密|无需保密|公开)$/.test(c));
  const refusesPublic = p !== null && !(YES.test(p) || /^(公开|同意公开|可公开)$/.test(p));
  return asksSecrecy || refusesPublic;
}

/** The mapping every channel shares; channels adjust the few fields that differ. */
export function baseDraft(rec: CanonicalRecord): ProblemDraft {
  const body = text(rec.body) ?? text(rec.title);
  if (!body) throw new RowError('body', '缺少内容');
  const title = text(rec.title) ?? (body.length > TITLE_CHARS ? `${headOutsideNumbers(body, TITLE_CHARS)}…` : body);
  const kindText = text(rec.kind);
  return {
    externalId: text(rec.id),
    title: headOutsideNumbers(title, 200),
    body,
    kindText,
    kindCode: kindCodeOf(kindText),
    reportedAt: time(rec.time, 'time', '时间', true)!,
    address: text(rec.address),
    regionText: text(rec.region),
    targetText: text(rec.target),
    unitText: text(rec.unit),
    reporterName: given(rec.name),
    reporterPhone: reporterPhone(rec.phone),
    confidential: confidentialOf(rec.confidential, rec.isPublic),
    source: {
      state: text(rec.state),
      handledBy: text(rec.handledBy),
      reply: text(rec.reply),
      repliedAt: time(rec.repliedAt, 'repliedAt', '回复时间', false),
      satisfaction: text(rec.satisfaction),
    },
  };
}

const spec = (field: CanonicalField, ...headers: string[]): FieldSpec => ({ field, headers });

export const hotline12345: ChannelAdapter = {
  channel: 'hotline12345',
  formats: ['xlsx', 'csv', 'jsonl', 'json'],
  specs: [
    spec('id', '工单编号', '工单号', '编号', '工单编码', 'orderNo', 'id'),
    spec('time', '受理时间', '来电时间', '登记时间', '创建时间', '诉求时间', 'acceptTime'),
    spec('name', '诉求人', '来电人', '姓名', '联系人', '来电人姓名', '诉求人姓名', '反映人', '反映人姓名', '联系人姓名', 'callerName'),
    spec('phone', '联系电话', '电话', '手机', '来电号码', '手机号码', '联系方式', '来电人电话', '诉求人电话', '诉求人联系电话', '反映人电话', '联系人电话', 'phone'),
    spec('idNumber', ...ID_NUMBER_HEADERS),
    spec('confidential', '是否保密', '保密', '保密要求', 'confidential'),
    spec('kind', '诉求类型', '类型', '工单类型', '诉求类别', 'type'),
    spec('title', '诉求标题', '标题', '主题', 'title'),
    spec('body', '诉求内容', '内容', '问题描述', '来电内容', '诉求描述', 'content'),
    spec('address', '事发地址', '地址', '发生地址', '事发地点', 'address'),
    spec('region', '所属区县', '区县', '所属区域', '区域', '所属地区', 'district'),
    spec('handledBy', '承办单位', '办理单位', '责任单位', '主办单位', 'handler'),
    spec('deadline', '办理时限', '时限', '截止时间', 'deadline'),
    spec('state', '办理状态', '状态', '工单状态', 'status'),
    spec('repliedAt', '办结时间', '完成时间', '结案时间', 'finishTime'),
    spec('reply', '办理结果', '处理结果', '答复内容', '办理情况', 'result'),
    spec('satisfaction', '满意度', '评价结果', '回访结果', '满意度评价', 'satisfaction'),
  ],
  required: [['body', 'title'], ['time']],
  personal: PERSONAL,
  toDraft: baseDraft,
};

export const peopleBoard: ChannelAdapter = {
  channel: 'people_board',
  formats: ['jsonl', 'json'],
  specs: [
    spec('id', 'tid'),
    spec('unit', 'forumName'),
    spec('title', 'subject'),
    spec('body', 'content'),
    spec('time', 'dateline'),
    spec('kind', 'typeName'),
    spec('state', 'stateInfo'),
    spec('name', 'nickName'),
    spec('ip', 'ip'),
    spec('region', 'from'),
    spec('handledBy', 'answerOrganization'),
    spec('reply', 'answerContent'),
    spec('repliedAt', 'answerDateline'),
    spec('extra', 'fid', 'domainName', 'favNum', 'gradeManner', 'gradeSpeed'),
  ],
  required: [['body', 'title'], ['time']],
  personal: PERSONAL,
  toDraft(rec) {
    const d = baseDraft(rec);
    // "from" is " 安徽省 芜湖市": the last word is the most specific place
    d.regionText = d.regionText?.split(' ').filter(Boolean).pop() ?? null;
    return d;
  },
};

export const portalMailbox: ChannelAdapter = {
  channel: 'portal_mailbox',
  formats: ['csv', 'xlsx', 'jsonl', 'json'],
  specs: [
    spec('id', '信件编号', '编号', '信件号', 'letterId'),
    spec('title', '标题', '信件标题', 'title'),
    spec('body', '内容', '信件内容', 'content'),
    spec('time', '写信时间', '来信时间', '提交时间', 'time'),
    spec('name', '写信人', '来信人', '姓名', '写信人姓名', '来信人姓名', '反映人', '反映人姓名', 'writer'),
    spec('phone', '联系方式', '联系电话', '电话', 'contact'),
    spec('idNumber', ...ID_NUMBER_HEADERS),
    spec('isPublic', '是否公开', '公开', 'public'),
    spec('confidential', '是否保密', '保密', 'confidential'),
    spec('handledBy', '回复单位', '答复单位', 'replyUnit'),
    spec('reply', '回复内容', '答复内容', 'replyContent'),
    spec('repliedAt', '回复时间', '答复时间', 'replyTime'),
    spec('unit', '收信单位', '信箱', 'mailbox'),
  ],
  required: [['body', 'title'], ['time']],
  personal: PERSONAL,
  toDraft: baseDraft,
};

export const wanshitong: ChannelAdapter = {
  channel: 'wanshitong',
  formats: ['jsonl', 'json'],
  specs: [
    spec('id', 'orderId'),
    spec('time', 'submitTime'),
    spec('title', 'title'),
    spec('body', 'content'),
    spec('kind', 'category'),
    spec('address', 'location.address'),
    spec('extra', 'location.lng', 'location.lat'),
    spec('name', 'user.name'),
    spec('phone', 'user.mobile'),
    spec('idNumber', 'user.idCard', 'user.idNumber'),
  ],
  required: [['body', 'title'], ['time']],
  personal: PERSONAL,
  toDraft: baseDraft,
};

export const govService: ChannelAdapter = {
  channel: 'gov_service',
  formats: ['jsonl', 'json', 'csv', 'xlsx'],
  specs: [
    spec('id', 'evaluationId', 'caseId', '评价编号', '办件编号'),
    spec('title', 'itemName', '事项名称'),
    spec('target', 'deptName', '部门名称'),
    spec('satisfaction', 'grade', '评价等级'),
    spec('kind', 'reason', '差评原因'),
    spec('body', 'content', '评价内容'),
    spec('time', 'time', '评价时间'),
  ],
  required: [['body', 'title'], ['time'], ['satisfaction']],
  personal: PERSONAL,
  toDraft(rec) {
    const grade = gradeOf(text(rec.satisfaction));
    if (grade === null) throw new RowError('satisfaction', `评价等级“${text(rec.satisfaction) ?? ''}”应为 1–5、${GRADE_NAMES.join('、')}，或星级（5星、五星、★★★★★）`);
    const reason = text(rec.kind);
    const item = text(rec.title);
    const d = baseDraft({ ...rec, title: item ? `【好差评】${item}` : null, body: text(rec.body) ?? reason ?? item, kind: null });
    d.kindText = reason;
    d.kindCode = grade <= 2 ? 'complaint' : grade >= 4 ? 'praise' : null;
    d.unitText = d.targetText;
    d.source.satisfaction = GRADE_NAMES[grade - 1]!;
    return d;
  },
};

function socialAdapter(channel: 'wechat' | 'weibo'): ChannelAdapter {
  return {
    channel,
    formats: ['jsonl', 'json'],
    specs: [
      spec('id', 'postId'),
      spec('name', 'author'),
      spec('body', 'text'),
      spec('time', 'publishedAt'),
      spec('extra', 'platform', 'url', 'reposts', 'comments', 'likes'),
    ],
    required: [['body'], ['time']],
    personal: PERSONAL,
    toDraft: baseDraft,
  };
}

/** The platform's own forms: the public one, and staff entering an on-site clue for their unit. */
function formAdapter(channel: 'web_form' | 'staff'): ChannelAdapter {
  return {
    channel,
    formats: ['json', 'jsonl'],
    specs: [
      spec('id', 'submissionId'),
      spec('time', 'submittedAt'),
      spec('title', 'title'),
      spec('body', 'content'),
      spec('kind', 'kind'),
      spec('address', 'address'),
      spec('region', 'region'),
      spec('name', 'contactName'),
      spec('phone', 'contactPhone'),
      spec('confidential', 'confidential'),
      spec('unit', 'unitName'),
      spec('target', 'target'),
    ],
    required: [['body'], ['time']],
    personal: PERSONAL,
    toDraft: baseDraft,
  };
}

/** Any other source: every canonical field under its Chinese name or its code; the rest comes from a saved mapping. */
export const generic: ChannelAdapter = {
  channel: 'generic',
  formats: ['csv', 'xlsx', 'jsonl', 'json'],
  specs: [
    spec('id', '编号', 'id'),
    spec('title', '标题', 'title'),
    spec('body', '内容', 'body', 'content'),
    spec('time', '时间', 'time'),
    spec('kind', '类型', 'kind'),
    spec('name', '姓名', '反映人', '联系人', 'name'),
    spec('phone', '电话', '联系电话', '手机', '手机号码', '联系方式', 'phone'),
    spec('idNumber', ...ID_NUMBER_HEADERS),
    spec('address', '地址', 'address'),
    spec('region', '区县', 'region'),
    spec('target', '被反映对象', 'target'),
    spec('confidential', '是否保密', 'confidential'),
    spec('isPublic', '是否公开', 'isPublic'),
  ],
  required: [['body', 'title'], ['time']],
  personal: PERSONAL,
  toDraft: baseDraft,
};

export const ADAPTERS: Record<string, ChannelAdapter> = Object.fromEntries(
  [hotline12345, peopleBoard, portalMailbox, wanshitong, govService, socialAdapter('wechat'), socialAdapter('weibo'), formAdapter('web_form'), formAdapter('staff'), generic].map((a) => [a.channel, a]),
);
