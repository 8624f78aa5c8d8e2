/**
 * The party complained about, found in the text when the channel did not name it: a shop, a company, a school,
 * an enforcement team. Normalized into a key so that the same target is recognized across reports.
 */
const SUFFIXES = [
  '有限责任公司', '股份有限公司', '有限公司', '公司', '大药房', '药房', '药店', '超市', '饭店', '酒店', '餐馆', '餐厅', '小吃', '烧烤', '面馆',
  '培训学校', '培训机构', '学校', '幼儿园', '物业', '网吧', '汽修', '装饰', '诊所', '医院', '工厂', '厂', '工地', '混凝土站', '建材', '物流', '水产', '商行', '门市部',
  '执法大队', '执法中队', '中队', '城管局', '城市管理局', '市场监督管理局', '派出所',
];
const SUFFIX_RE = SUFFIXES.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
// up to 8 name characters before a suffix, not crossing punctuation or common verbs
// (厂 in 厂房 or 厂区 is a building, not a factory's name)
const TARGET = new RegExp(`([\\u4e00-\\u9fa5A-Za-z0-9]{2,8}?)(${SUFFIX_RE})(?![房区里])`, 'g');
/** Characters that make a phrase, not a name: 人在基本农田上建(厂房) is a sentence. */
const NOT_A_NAME = /[在把被给向往从对让叫着过]|上建|有人/;
const LEADING_NOISE = /^(在|到|去|被|的|了|和|与|一家|一个|这家|那家|有家|有一家|附近|对面|门口|楼下|旁边|位于|是|我在|我们|本人|我)+/;
const TRAILING_NOISE = /(附近|对面|门口|楼下|旁边|一带|周边|的)+$/;
const PLACE_WORDS = /^.*(区|县|市|镇|街道|乡|村|社区|小区|路|街|大道|广场)/;
const GENERIC_NAMES = new Set(['一家', '这家', '那家', '附近', '当地', '相关', '有关', '我们', '他们']);
/** Targets whose place is their name: 繁昌区城市管理局, 天门山路工地. */
const PLACE_NAMED = new Set(['执法大队', '执法中队', '中队', '城管局', '城市管理局', '市场监督管理局', '派出所', '工地']);

export type Target = { text: string; key: string };

/** The normalized key: no places in front, 有限公司 and 公司 the same, no spaces or punctuation. */
export function targetKey(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\s\p{P}]/gu, '')
    .replace(/^(安徽省)?(芜湖市)?/, '')
    .replace(/(有限责任公司|股份有限公司|有限公司)$/, '公司')
    .toLowerCase();
}

/**
 * A place standing for the name (天门山路工地, 繁昌区城市管理局). The match may begin inside a district's name (江区白马街道
 * of 弋江区白马街道, the window being 8 characters): what follows the last 区/县/市 is taken when it is a place of its own.
 */
function placeAsName(raw: string): string {
  const place = raw.replace(LEADING_NOISE, '').replace(TRAILING_NOISE, '');
  const afterDistrict = place.replace(/^.*[区县市]/, '');
  return afterDistrict.length >= 2 ? afterDistrict : place;
}

export function extractTarget(text: string): Target | null {
  for (const m of text.matchAll(TARGET)) {
    const raw = m[1]!;
    const stripped = raw.replace(PLACE_WORDS, '').replace(LEADING_NOISE, '');
    // a name of its own, or a place standing for the name where that is how such targets are called
    const name = stripped.length >= 2 ? stripped : PLACE_NAMED.has(m[2]!) ? placeAsName(raw) : '';
    if (name.length < 2 || name.includes('某') || GENERIC_NAMES.has(name) || NOT_A_NAME.test(name)) continue;
    const full = `${name}${m[2]}`;
    return { text: full, key: targetKey(full) };
  }
  return null;
}
