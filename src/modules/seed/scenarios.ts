/**
 * The project's own report scenarios for the demo city and the benchmarks: per domain, what people report,
 * with slots filled by the generator. Written for this project; no sentence comes from real messages.
 */
export type Scenario = { domain: string; kind: string; title: string; body: string; target?: string };

export const SHOPS = ['好再来烧烤', '兴旺小吃', '福满楼饭店', '鑫源超市', '康宁大药房', '百姓药店', '阳光幼儿园', '启航培训学校', '顺达物流', '宏图建材', '金鼎汽修', '新天地网吧', '美家装饰', '大江水产', '老街面馆'];
export const COMPANIES = ['江城建筑公司', '长江化工厂', '华信电子厂', '恒通运输公司', '安居物业公司', '瑞丰服装厂', '鸿运混凝土站', '金桥房地产公司', '盛世保安公司', '惠民小贷公司'];
/** Enforcement words jieba would cut into single characters (占道经营 → 占/道/经营): the demo's dictionary starts with them. */
export const ENFORCEMENT_WORDS = ['占道经营', '出店经营', '私搭乱建', '乱停乱放', '乱贴乱画', '野广告', '渣土车', '扬尘', '偷排', '群租房', '飞线充电', '未亮证', '亮证执法', '以罚代管', '只罚不管', '钓鱼执法'];
export const ROADS = ['人民路', '长江路', '中山路', '北京路', '九华山路', '银湖路', '黄山路', '赭山路', '弋江路', '天门山路', '学府路', '湖滨路'];
const REQUEST = ['希望有关部门尽快处理', '请相关部门依法查处', '恳请领导重视', '希望尽快给个答复', '请尽快派人核实'];
const IMPACT = ['严重影响周边居民生活', '已经持续一个多月', '多次反映都没有结果', '周边群众意见很大', '存在很大的安全隐患'];

export const SCENARIOS: Scenario[] = [
  { domain: 'food_drug', kind: '投诉', title: '{shop}食品卫生问题', body: '{place}的{shop}后厨卫生条件差，餐具不消毒，昨天吃完后家人出现腹泻，{impact}，{request}。', target: '{shop}' },
  { domain: 'food_drug', kind: '举报', title: '{shop}销售过期食品', body: '在{place}的{shop}买到过期两个月的牛奶和面包，店家拒绝退换，{request}。', target: '{shop}' },
  { domain: 'food_drug', kind: '举报', title: '药店无处方销售处方药', body: '{place}的{shop}不需要处方就卖抗生素，也不登记，{request}。', target: '{shop}' },
  { domain: 'public_health', kind: '投诉', title: '公共场所卫生差', body: '{place}附近的公共厕所长期无人打扫，气味难闻，{impact}，{request}。' },
  { domain: 'public_health', kind: '咨询', title: '疫苗接种咨询', body: '请问{district}的社区卫生服务中心什么时间可以给孩子接种疫苗，需要提前预约吗？' },
  { domain: 'public_health', kind: '举报', title: '无证行医', body: '{place}有一家诊所没有挂牌，医生也没有执业证，给老人输液，{request}。' },
  { domain: 'natural_resources', kind: '举报', title: '违规占用耕地建房', body: '{place}有人在基本农田上建厂房，已经浇筑了地基，{request}。', target: '{company}' },
  { domain: 'natural_resources', kind: '投诉', title: '非法采砂', body: '{district}江边夜间有船只非法采砂，噪音很大，岸堤也被掏空，{impact}，{request}。' },
  { domain: 'eco_env', kind: '投诉', title: '工厂排放刺鼻废气', body: '{place}的{company}每天晚上排放刺鼻气体，{impact}，{request}。', target: '{company}' },
  { domain: 'eco_env', kind: '投诉', title: '夜间施工噪音扰民', body: '{place}工地每天夜里十一点以后还在施工，打桩声音很大，{impact}，{request}。', target: '{company}' },
  { domain: 'eco_env', kind: '举报', title: '河道倾倒垃圾', body: '{place}附近河道有人倾倒建筑垃圾，河水发黑发臭，{request}。' },
  { domain: 'eco_env', kind: '投诉', title: '烧烤店油烟扰民', body: '{place}的{shop}没有安装油烟净化设备，油烟直排到居民楼，{impact}，{request}。', target: '{shop}' },
  { domain: 'work_safety', kind: '举报', title: '仓库违规存放危险品', body: '{place}的{company}仓库里堆放了大量液化气罐和油漆，没有消防设施，{request}。', target: '{company}' },
  { domain: 'work_safety', kind: '投诉', title: '电动车楼道充电', body: '{place}小区很多住户在楼道里给电动车充电，物业不管，{impact}。', target: '安居物业公司' },
  { domain: 'labor', kind: '求助', title: '拖欠工资', body: '我在{place}的{company}上班，公司已经拖欠三个月工资，老板避而不见，{request}。', target: '{company}' },
  { domain: 'labor', kind: '咨询', title: '社保缴费咨询', body: '请问灵活就业人员在{district}怎么缴纳养老保险和医保，能不能在网上办理？' },
  { domain: 'labor', kind: '投诉', title: '公司不签劳动合同', body: '{company}招工后一直不签劳动合同也不交社保，{request}。', target: '{company}' },
  { domain: 'urban_mgmt', kind: '投诉', title: '商铺占道经营', body: '{place}的{shop}长期把货物摆在人行道上，行人只能走机动车道，{impact}，{request}。', target: '{shop}' },
  { domain: 'urban_mgmt', kind: '投诉', title: '违章搭建', body: '{place}小区一楼住户私自搭建彩钢棚，占用公共绿地，{request}。' },
  { domain: 'urban_mgmt', kind: '建议', title: '增设垃圾分类投放点', body: '{place}附近只有一个垃圾投放点，经常满溢，建议增设投放点并增加清运次数。' },
  { domain: 'urban_mgmt', kind: '投诉', title: '执法人员态度恶劣', body: '{place}城管执法人员处理占道经营时态度恶劣，没有出示执法证件，直接扣押三轮车，{request}。' },
  { domain: 'transport', kind: '投诉', title: '出租车拒载绕路', body: '在{place}打车，司机拒绝打表还故意绕路，车牌号已记下，{request}。' },
  { domain: 'transport', kind: '建议', title: '增加公交班次', body: '{district}到市区的公交班次太少，高峰期等车要半小时，建议加密班次。' },
  { domain: 'transport', kind: '举报', title: '货车超载', body: '{road}上每天有大量超载渣土车经过，路面被压坏，{impact}，{request}。', target: '鸿运混凝土站' },
  { domain: 'finance', kind: '举报', title: '非法集资', body: '{place}有一家公司以高息为诱饵吸收老年人存款，已有多人无法取回本金，{request}。', target: '{company}' },
  { domain: 'finance', kind: '投诉', title: '暴力催收', body: '{company}的催收人员多次打电话骚扰我的家人和同事，{request}。', target: '惠民小贷公司' },
  { domain: 'education', kind: '投诉', title: '培训机构停课不退费', body: '{place}的{shop}突然停课，拒绝退还预收的学费，涉及几十名学生，{request}。', target: '启航培训学校' },
  { domain: 'education', kind: '咨询', title: '入学政策咨询', body: '请问{district}今年小学入学需要准备哪些材料，随迁子女怎么办理？' },
  { domain: 'other', kind: '表扬', title: '感谢工作人员', body: '{district}政务服务中心窗口工作人员耐心细致，帮我一次办好了业务，特此表扬。' },
  { domain: 'other', kind: '投诉', title: '罚款不开票', body: '{place}执法人员对我处以罚款，当场收取现金却不开具票据，{request}。' },
];

export const FILL = { REQUEST, IMPACT };
