import { mulberry32 } from '../../lib/random.ts';
import { COUNTIES, CITY_DEPARTMENTS } from './wuhu.ts';
import { COMPANIES, FILL, ROADS, SCENARIOS, SHOPS, type Scenario } from './scenarios.ts';

/**
 * Realistic reports for the demo city, in each channel's own record shape, so that they go through the real
 * adapters: weekday and holiday rhythm, a summer rise, districts of different sizes. Deterministic for a seed.
 */
export type GeneratedRecord = { channel: string; record: Record<string, unknown> };
export type GeneratorOptions = { from: Date; days: number; perDay: number; seed?: number; offDays?: Set<string>; onDays?: Set<string>; now?: Date };

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗'];
const CHANNEL_WEIGHTS: [string, number][] = [['hotline12345', 45], ['people_board', 12], ['portal_mailbox', 10], ['wanshitong', 12], ['gov_service', 8], ['wechat', 5], ['weibo', 4], ['web_form', 4]];
/** Rough share of the city's reports by district (larger, denser districts report more). */
const COUNTY_WEIGHTS = [24, 16, 20, 10, 8, 8, 14];
/** Ways people open and close a message, so that two reports of one scenario are not near-copies. */
const OPENINGS = ['', '', '本人是附近居民，', '我住在这一带，', '昨天晚上路过时发现，', '最近一段时间，', '之前打过电话但没解决，', '代表几户邻居反映：', '我是一名退休职工，', '上周开始，'];
const CLOSINGS = ['', '', '现场有照片可以提供。', '附近的住户都可以作证。', '情况已经持续{n}天了。', '已经向社区反映过{n}次。', '晚上七点以后最严重。', '周末尤其明显。', '孩子和老人受影响很大。'];
/** Closings that only fit a nuisance to the neighbourhood (a scenario that says how it affects people: {impact}). */
const NEIGHBOURHOOD_CLOSINGS = new Set(['附近的住户都可以作证。', '已经向社区反映过{n}次。', '晚上七点以后最严重。', '周末尤其明显。', '孩子和老人受影响很大。']);
/** Kinds that complain about something; a question, a suggestion or thanks opens and closes in its own manner. */
const COMPLAINING = new Set(['投诉', '举报', '求助']);
const PLAIN: Record<string, { openings: string[]; closings: string[] }> = {
  咨询: { openings: ['', '', '您好，', '麻烦问一下，', '领导您好，', '打扰了，'], closings: ['', '', '谢谢！', '盼复。', '期待回复，谢谢。'] },
  建议: { openings: ['', '', '领导您好，', '作为一名市民，', '提个建议：'], closings: ['', '', '希望采纳。', '谢谢！', '望考虑。'] },
  表扬: { openings: [''], closings: ['', '谢谢！', '辛苦了！', '点赞！'] },
};

/** What the handling unit answered, in the manner of the kind of message. */
function replyTo(kind: string, title: string): string {
  if (kind === '咨询') return `您好，关于${title.replace(/咨询$/, '')}的问题，已电话联系您作了解答，相关办理指南已发送至您的手机，如有疑问可再来电。`;
  if (kind === '建议') return `感谢您的建议。关于${title}，已转相关部门研究，将结合实际逐步落实。`;
  if (kind === '表扬') return '感谢您的肯定，已将您的表扬转告相关工作人员，我们将继续做好服务。';
  return `经核查，${title.replace(/问题$/, '')}情况属实，已责令整改并依法处理，将持续跟踪。`;
}
const SATISFACTION = ['满意', '满意', '满意', '基本满意', '基本满意', '不满意'];
const DOMAIN_UNIT: Record<string, string> = Object.fromEntries(CITY_DEPARTMENTS.flatMap((d) => d.domains.map((dom) => [dom, d.name])));


const shanghaiDay = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const local = (d: Date) => {
  const s = new Date(d.getTime() + 8 * 3_600_000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)}`;
};

export function* generateRecords(o: GeneratorOptions): Generator<GeneratedRecord> {
  const rnd = mulberry32(o.seed ?? 20261126);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const weighted = <T>(xs: [T, number][]): T => {
    let r = rnd() * xs.reduce((a, [, w]) => a + w, 0);
    for (const [x, w] of xs) if ((r -= w) < 0) return x;
    return xs[xs.length - 1]![0];
  };
  const countyPick = () => weighted(COUNTIES.map((c, i) => [c, COUNTY_WEIGHTS[i]!] as [typeof c, number]));
  const now = o.now ?? new Date();
  let seq = 0;

  for (let day = 0; day < o.days; day++) {
    const date = new Date(o.from.getTime() + day * 86_400_000);
    const key = shanghaiDay(date);
    const weekday = new Date(`${key}T00:00:00Z`).getUTCDay();
    const working = o.onDays?.has(key) || (!o.offDays?.has(key) && weekday !== 0 && weekday !== 6);
    const month = Number(key.slice(5, 7));
    const season = month >= 6 && month <= 8 ? 1.25 : month === 1 || month === 2 ? 0.85 : 1;
    const volume = Math.round(o.perDay * (working ? 1 : 0.55) * season * (0.85 + rnd() * 0.3));
    for (let i = 0; i < volume; i++) {
      seq++;
      const scenario: Scenario = pick(SCENARIOS);
      const county = countyPick();
      const township = pick(county.townships);
      const road = pick(ROADS);
      const shop = pick(SHOPS);
      const company = pick(COMPANIES);
      const place = `${county.name}${township}${road}`;
      const fill = (s: string) =>
        s.replace(/\{place\}/g, place).replace(/\{district\}/g, county.name).replace(/\{road\}/g, road).replace(/\{shop\}/g, shop).replace(/\{company\}/g, company)
          .replace(/\{impact\}/g, pick(FILL.IMPACT)).replace(/\{request\}/g, pick(FILL.REQUEST));
      const hour = 8 + Math.floor(rnd() * 14);
      const at = new Date(`${key}T${pad(hour)}:${pad(Math.floor(rnd() * 60))}:${pad(Math.floor(rnd() * 60))}+08:00`);
      if (at > now) continue;
      const ageDays = (now.getTime() - at.getTime()) / 86_400_000;
      const done = ageDays > 12 || rnd() < ageDays / 12;
      // answered 1–10 days later, but never after `now` (a recent report answered already was answered today)
      const repliedAt = new Date(Math.min(at.getTime() + (1 + rnd() * 9) * 86_400_000, Math.max(at.getTime(), now.getTime() - 3_600_000)));
      const handler = scenario.domain === 'urban_mgmt' ? `${county.name}城市管理局` : scenario.domain === 'food_drug' ? `${county.name}市场监督管理局` : (DOMAIN_UNIT[scenario.domain] ?? `${county.name}人民政府`);
      const person = `${pick(SURNAMES)}${rnd() < 0.5 ? '先生' : '女士'}`;
      const phone = `1${pick(['39', '58', '87', '36', '77'])}${pad(Math.floor(rnd() * 1e8), 8)}`;
      const title = fill(scenario.title);
      // the same draws whatever fits, so that a seed gives the same reports as before
      const complaining = COMPLAINING.has(scenario.kind);
      const openingAt = Math.floor(rnd() * OPENINGS.length);
      const said = fill(scenario.body);
      const closingAt = Math.floor(rnd() * CLOSINGS.length);
      const n = String(2 + Math.floor(rnd() * 20));
      const plain = complaining ? null : PLAIN[scenario.kind] ?? { openings: [''], closings: [''] };
      const closing = plain ? plain.closings[closingAt % plain.closings.length]! : CLOSINGS[closingAt]!;
      const closingFits = !!plain || scenario.body.includes('{impact}') || !NEIGHBOURHOOD_CLOSINGS.has(closing);
      const opening = plain ? plain.openings[openingAt % plain.openings.length]! : OPENINGS[openingAt]!;
      const body = `${opening}${said}${closingFits ? closing.replace('{n}', n) : ''}`;
      const reply = done ? replyTo(scenario.kind, title) : '';
      const channel = weighted(CHANNEL_WEIGHTS);
      const ymd = key.replace(/-/g, '');
      let record: Record<string, unknown>;
      switch (channel) {
        case 'hotline12345':
          record = {
            工单编号: `WH${ymd}${pad(seq, 7)}`, 受理时间: local(at), 诉求人: person, 联系电话: phone, 诉求类型: scenario.kind, 诉求标题: title, 诉求内容: body,
            事发地址: place, 所属区县: county.name, 承办单位: handler, 办理状态: done ? '已办结' : '办理中', 办结时间: done ? local(repliedAt) : '', 办理结果: reply, 满意度: done ? pick(SATISFACTION) : '',
          };
          break;
        case 'people_board':
          record = {
            tid: 900000 + seq, fid: 1061, forumName: rnd() < 0.5 ? '芜湖市委书记' : '芜湖市市长', subject: title, content: body, dateline: Math.floor(at.getTime() / 1000),
            typeName: ['投诉', '举报', '求助'].includes(scenario.kind) ? '投诉/求助' : scenario.kind === '建议' ? '建言' : scenario.kind === '表扬' ? '感谢' : '咨询',
            stateInfo: done ? '已办理' : '办理中', favNum: Math.floor(rnd() * 10), nickName: `网友${pad(seq % 100000, 5)}`, ip: `112.30.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`, from: ' 安徽省 芜湖市',
            ...(done ? { answerOrganization: handler, answerContent: reply, answerDateline: Math.floor(repliedAt.getTime() / 1000), gradeManner: 1 + Math.floor(rnd() * 5), gradeSpeed: 1 + Math.floor(rnd() * 5) } : {}),
          };
          break;
        case 'portal_mailbox':
          record = { 信件编号: `MX${ymd}${pad(seq, 7)}`, 标题: title, 内容: body, 写信时间: local(at), 写信人: person, 联系方式: phone, 是否公开: rnd() < 0.7 ? '是' : '否', 回复单位: done ? handler : '', 回复内容: reply, 回复时间: done ? local(repliedAt) : '' };
          break;
        case 'wanshitong':
          record = { orderId: `WST${ymd}${pad(seq, 7)}`, submitTime: at.toISOString(), title, content: body, category: scenario.kind, location: { address: place }, user: { name: person, mobile: phone } };
          break;
        case 'gov_service': {
          const grade = scenario.kind === '表扬' ? 5 : 1 + Math.floor(rnd() * 3);
          record = { evaluationId: `HCP${ymd}${pad(seq, 7)}`, itemName: `${title}相关事项`, deptName: handler, grade, reason: grade <= 2 ? pick(['办事效率低', '态度不好', '多次跑腿']) : '', content: body, time: local(at) };
          break;
        }
        case 'wechat':
        case 'weibo':
          record = { platform: channel, postId: `${channel === 'wechat' ? 'wx' : 'wb'}-${ymd}${pad(seq, 7)}`, author: `江城网友${seq % 1000}`, text: body, url: `https://${channel}.example.cn/${seq}`, publishedAt: local(at), reposts: Math.floor(rnd() * 50), comments: Math.floor(rnd() * 30), likes: Math.floor(rnd() * 200) };
          break;
        default:
          record = { submissionId: `F${ymd}${pad(seq, 7)}`, submittedAt: at.toISOString(), title, content: body, kind: scenario.kind, address: place, contactName: person, contactPhone: phone, confidential: rnd() < 0.2 };
      }
      yield { channel, record };
    }
  }
}
