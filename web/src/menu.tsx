import { AlertOutlined, BookOutlined, EnvironmentOutlined, BranchesOutlined, ControlOutlined, ProfileOutlined, TagsOutlined, TranslationOutlined, ApartmentOutlined, AuditOutlined, BarChartOutlined, CalendarOutlined, CloudUploadOutlined, DatabaseOutlined, FileTextOutlined, FilterOutlined, FormOutlined, FundOutlined, HomeOutlined, KeyOutlined, MonitorOutlined, RadarChartOutlined, SettingOutlined, SolutionOutlined, TeamOutlined, ToolOutlined, WarningOutlined } from '@ant-design/icons';
import { Spin } from 'antd';
import { lazy, Suspense, type ReactNode } from 'react';
import { ApiKeysPage } from './pages/apikeys/ApiKeysPage.tsx';
import { SettingsPage } from './pages/settings/SettingsPage.tsx';
import { CalendarPage } from './pages/calendar/CalendarPage.tsx';
import { AuditPage } from './pages/audit/AuditPage.tsx';
import { HomePage } from './pages/home/HomePage.tsx';
import { ImportsPage } from './pages/imports/ImportsPage.tsx';
import { ProblemDetailPage } from './pages/problems/ProblemDetailPage.tsx';
import { ProblemsPage } from './pages/problems/ProblemsPage.tsx';
import { ReportsPage } from './pages/reports/ReportsPage.tsx';
import { StaffEntryPage } from './pages/problems/StaffEntryPage.tsx';
import { TriageQueuePage } from './pages/triage/TriageQueuePage.tsx';
import { LabelMapPage } from './pages/triage-config/LabelMapPage.tsx';
import { LexiconPage } from './pages/triage-config/LexiconPage.tsx';
import { RoutingRulesPage } from './pages/triage-config/RoutingRulesPage.tsx';
import { TermsPage } from './pages/triage-config/TermsPage.tsx';
import { UserWordsPage } from './pages/triage-config/UserWordsPage.tsx';
import { RegionNamesPage } from './pages/triage-config/RegionNamesPage.tsx';
import { UnitsPage } from './pages/orgs/UnitsPage.tsx';
import { UsersPage } from './pages/orgs/UsersPage.tsx';
import { WarningsPage } from './pages/risk/WarningsPage.tsx';
import { KpiPage } from './pages/workorders/KpiPage.tsx';
import { MyWorkOrdersPage } from './pages/workorders/MyWorkOrdersPage.tsx';
import { SupervisionPage } from './pages/workorders/SupervisionPage.tsx';
import { WorkOrderPage } from './pages/workorders/WorkOrderPage.tsx';

// the dashboard brings ECharts: loaded when first opened, in its own chunk
const DashboardPage = lazy(() => import('./pages/analytics/DashboardPage.tsx').then((m) => ({ default: m.DashboardPage })));
// the risk pages draw with ECharts too: each in its own chunk, sharing the chart code with the dashboard
const RiskOverviewPage = lazy(() => import('./pages/risk/RiskOverviewPage.tsx').then((m) => ({ default: m.RiskOverviewPage })));
const WarningPage = lazy(() => import('./pages/risk/WarningPage.tsx').then((m) => ({ default: m.WarningPage })));
const DomainRiskPage = lazy(() => import('./pages/risk/DomainRiskPage.tsx').then((m) => ({ default: m.DomainRiskPage })));
const RulesPage = lazy(() => import('./pages/risk/RulesPage.tsx').then((m) => ({ default: m.RulesPage })));
const CasesPage = lazy(() => import('./pages/risk/CasesPage.tsx').then((m) => ({ default: m.CasesPage })));
const loading = <Spin style={{ display: 'block', margin: 48 }} />;
const lazyPage = (page: ReactNode) => <Suspense fallback={loading}>{page}</Suspense>;

/** Who sees what of 风险预警: the city's picture with report.read (as the API asks), the list also for supervisors and units (their own warnings). */
const RISK_READ = ['report.read'];
const RISK_LIST = ['report.read', 'workorder.supervise', 'workorder.handle'];

/** The menu and its access rules, in one place: an entry shows when the user holds its permission (or one of them) somewhere. */
export type MenuEntry = { key: string; label: string; icon: ReactNode; permission?: string | string[]; element?: ReactNode; children?: MenuEntry[]; hidden?: boolean };

export const MENU: MenuEntry[] = [
  { key: '/', label: '工作台', icon: <HomeOutlined />, element: <HomePage /> },
  { key: '/dashboard', label: '全局态势', icon: <FundOutlined />, permission: 'report.read', element: <Suspense fallback={loading}><DashboardPage /></Suspense> },
  { key: '/triage', label: '分拣队列', icon: <FilterOutlined />, permission: 'problem.triage', element: <TriageQueuePage /> },
  { key: '/problems', label: '问题库', icon: <DatabaseOutlined />, permission: 'problem.read', element: <ProblemsPage /> },
  { key: '/problems/:id', label: '问题详情', icon: null, permission: 'problem.read', element: <ProblemDetailPage />, hidden: true },
  { key: '/work-orders', label: '我的工单', icon: <SolutionOutlined />, permission: 'workorder.handle', element: <MyWorkOrdersPage /> },
  { key: '/work-orders/:id', label: '工单详情', icon: null, permission: ['workorder.handle', 'workorder.supervise', 'problem.triage'], element: <WorkOrderPage />, hidden: true },
  { key: '/supervision', label: '督办看板', icon: <MonitorOutlined />, permission: ['workorder.supervise', 'problem.triage'], element: <SupervisionPage /> },
  { key: '/kpi', label: '单位考核', icon: <BarChartOutlined />, permission: ['workorder.supervise', 'report.read'], element: <KpiPage /> },
  {
    key: 'risk',
    label: '风险预警',
    icon: <AlertOutlined />,
    children: [
      { key: '/risk', label: '风险总览', icon: <RadarChartOutlined />, permission: RISK_READ, element: lazyPage(<RiskOverviewPage />) },
      { key: '/risk/warnings', label: '预警列表', icon: <WarningOutlined />, permission: RISK_LIST, element: <WarningsPage /> },
      { key: '/risk/warnings/:id', label: '预警详情', icon: null, permission: RISK_LIST, element: lazyPage(<WarningPage />), hidden: true },
      { key: '/risk/domains/:code', label: '领域风险', icon: null, permission: RISK_READ, element: lazyPage(<DomainRiskPage />), hidden: true },
      { key: '/risk/cases', label: '复议诉讼结果', icon: <AuditOutlined />, permission: RISK_LIST, element: lazyPage(<CasesPage />) },
      { key: '/risk/rules', label: '预警规则', icon: <ToolOutlined />, permission: ['report.read', 'reference.manage'], element: lazyPage(<RulesPage />) },
    ],
  },
  { key: '/reports', label: '分析报告', icon: <FileTextOutlined />, permission: 'report.read', element: <ReportsPage /> },
  { key: '/entry', label: '录入线索', icon: <FormOutlined />, element: <StaffEntryPage /> },
  { key: '/imports', label: '数据导入', icon: <CloudUploadOutlined />, permission: 'problem.import', element: <ImportsPage /> },
  {
    key: 'triage-config',
    label: '分拣配置',
    icon: <ProfileOutlined />,
    children: [
      { key: '/triage-config/labels', label: '标签映射', icon: <TagsOutlined />, permission: 'reference.manage', element: <LabelMapPage /> },
      { key: '/triage-config/lexicon', label: '关键词词典', icon: <BookOutlined />, permission: 'reference.manage', element: <LexiconPage /> },
      { key: '/triage-config/terms', label: '作风与引导词典', icon: <BookOutlined />, permission: 'reference.manage', element: <TermsPage /> },
      { key: '/triage-config/user-words', label: '分词用户词典', icon: <TranslationOutlined />, permission: 'reference.manage', element: <UserWordsPage /> },
      { key: '/triage-config/regions', label: '区划旧名', icon: <EnvironmentOutlined />, permission: 'reference.manage', element: <RegionNamesPage /> },
      // dispatchers and supervisors read the rules behind the queue's proposals; only reference.manage changes them
      { key: '/triage-config/routing', label: '路由规则', icon: <BranchesOutlined />, permission: ['reference.manage', 'problem.triage'], element: <RoutingRulesPage /> },
    ],
  },
  {
    key: 'system',
    label: '系统管理',
    icon: <SettingOutlined />,
    children: [
      { key: '/units', label: '单位管理', icon: <ApartmentOutlined />, permission: 'org.read', element: <UnitsPage /> },
      { key: '/users', label: '人员与授权', icon: <TeamOutlined />, permission: 'org.read', element: <UsersPage /> },
      { key: '/api-keys', label: '接入密钥', icon: <KeyOutlined />, permission: 'apikey.manage', element: <ApiKeysPage /> },
      { key: '/audit', label: '审计日志', icon: <AuditOutlined />, permission: 'audit.read', element: <AuditPage /> },
      { key: '/calendar', label: '工作日历与时限', icon: <CalendarOutlined />, permission: 'reference.manage', element: <CalendarPage /> },
      { key: '/settings', label: '运行设置', icon: <ControlOutlined />, permission: 'reference.manage', element: <SettingsPage /> },
    ],
  },
];

export function visibleMenu(can: (p: string) => boolean, entries: MenuEntry[] = MENU): MenuEntry[] {
  return entries
    .map((e) => (e.children ? { ...e, children: visibleMenu(can, e.children) } : e))
    .filter((e) => (e.children ? e.children.length > 0 : !e.permission || [e.permission].flat().some(can)));
}

export function flatRoutes(entries: MenuEntry[]): MenuEntry[] {
  return entries.flatMap((e) => (e.children ? flatRoutes(e.children) : [e]));
}
