import type { UnitKind } from '../../db/types.ts';

/** The demo city: Wuhu (芜湖市), its districts and counties with a few townships each. */
export const CITY = { code: '340200', name: '芜湖市' };

/** County-level codes are GB/T 2260; township codes are the project's own 9-digit demo codes. */
export const COUNTIES: { code: string; name: string; townships: string[]; formerNames?: string[] }[] = [
  { code: '340202', name: '镜湖区', townships: ['范罗山街道', '方村街道', '天门山街道', '荆山街道'] },
  // 2020: 三山区 abolished into 弋江区, 芜湖县 became 湾沚区, 繁昌县 繁昌区; 2019: 无为县 became 无为市
  { code: '340209', name: '弋江区', townships: ['白马街道', '澛港街道', '三山街道', '峨桥镇'], formerNames: ['三山区'] },
  { code: '340207', name: '鸠江区', townships: ['湾里街道', '清水街道', '官陡街道', '沈巷镇'] },
  { code: '340210', name: '湾沚区', townships: ['湾沚镇', '六郎镇', '陶辛镇'], formerNames: ['芜湖县'] },
  { code: '340212', name: '繁昌区', townships: ['繁阳镇', '荻港镇', '孙村镇'], formerNames: ['繁昌县'] },
  { code: '340223', name: '南陵县', townships: ['籍山镇', '弋江镇', '许镇镇'] },
  { code: '340281', name: '无为市', townships: ['无城镇', '襄安镇', '石涧镇'], formerNames: ['无为县'] },
];

export type UnitSpec = { key: string; name: string; kind: UnitKind; parent: string | null; region: string; domains?: string[] };

/** City departments that enforce the ten key domains (DOMAIN.md), plus the 司法局 supervision office. */
export const CITY_DEPARTMENTS: { key: string; name: string; domains: string[] }[] = [
  { key: 'sfj', name: '芜湖市司法局', domains: [] },
  { key: 'scjg', name: '芜湖市市场监督管理局', domains: ['food_drug'] },
  { key: 'wjw', name: '芜湖市卫生健康委员会', domains: ['public_health'] },
  { key: 'zrzy', name: '芜湖市自然资源和规划局', domains: ['natural_resources'] },
  { key: 'sthj', name: '芜湖市生态环境局', domains: ['eco_env'] },
  { key: 'yjgl', name: '芜湖市应急管理局', domains: ['work_safety'] },
  { key: 'rsj', name: '芜湖市人力资源和社会保障局', domains: ['labor'] },
  { key: 'cgj', name: '芜湖市城市管理局', domains: ['urban_mgmt'] },
  { key: 'jtj', name: '芜湖市交通运输局', domains: ['transport'] },
  { key: 'jrb', name: '芜湖市地方金融管理局', domains: ['finance'] },
  { key: 'jyj', name: '芜湖市教育局', domains: ['education'] },
];

export function wuhuUnits(): UnitSpec[] {
  const units: UnitSpec[] = [{ key: 'city', name: '芜湖市人民政府', kind: 'government', parent: null, region: CITY.code }];
  for (const d of CITY_DEPARTMENTS) units.push({ key: d.key, name: d.name, kind: 'department', parent: 'city', region: CITY.code, domains: d.domains });
  units.push({ key: 'jdk', name: '芜湖市司法局行政执法监督科', kind: 'office', parent: 'sfj', region: CITY.code });
  for (const c of COUNTIES) {
    // 无为市 is a county-level city: its government is not prefixed with 芜湖市.
    const gov = c.name.endsWith('市') ? `${c.name}人民政府` : `芜湖市${c.name}人民政府`;
    units.push({ key: c.code, name: gov, kind: 'government', parent: 'city', region: c.code });
    units.push({ key: `${c.code}-scjg`, name: `${c.name}市场监督管理局`, kind: 'department', parent: c.code, region: c.code, domains: ['food_drug'] });
    units.push({ key: `${c.code}-cgj`, name: `${c.name}城市管理局`, kind: 'department', parent: c.code, region: c.code, domains: ['urban_mgmt'] });
    c.townships.forEach((t, i) => {
      const office = t.endsWith('街道') ? `${t}办事处` : `${t}人民政府`;
      units.push({ key: `${c.code}-t${i}`, name: `${c.name}${office}`, kind: 'township', parent: c.code, region: townshipCode(c.code, i) });
    });
  }
  return units;
}

export function townshipCode(countyCode: string, index: number): string {
  return `${countyCode}${String(index + 1).padStart(3, '0')}`;
}

export const DEMO_PASSWORD = 'Zhd@2026demo';

/** One demo user per role, plus a district admin whose scope is only 鸠江区. */
export const DEMO_USERS: { username: string; displayName: string; unit: string; role: string; scope: string; phone: string }[] = [
  { username: 'admin', displayName: '张敏', unit: 'sfj', role: 'admin', scope: 'city', phone: '13900000001' },
  { username: 'supervisor', displayName: '李明', unit: 'jdk', role: 'supervisor', scope: 'city', phone: '13900000002' },
  { username: 'dispatcher', displayName: '王芳', unit: 'jdk', role: 'dispatcher', scope: 'city', phone: '13900000003' },
  { username: 'handler', displayName: '赵强', unit: 'scjg', role: 'handler', scope: 'scjg', phone: '13900000004' },
  { username: 'leader', displayName: '陈建国', unit: 'sfj', role: 'leader', scope: 'city', phone: '13900000005' },
  { username: 'reviewer', displayName: '刘洋', unit: 'jdk', role: 'reviewer', scope: 'city', phone: '13900000006' },
  { username: 'officer', displayName: '孙伟', unit: '340202-cgj', role: 'officer', scope: '340202-cgj', phone: '13900000007' },
  { username: 'jjadmin', displayName: '周静', unit: '340207', role: 'admin', scope: '340207', phone: '13900000008' },
];
