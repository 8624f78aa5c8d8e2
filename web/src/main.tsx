import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { PublicReportPage } from './pages/public/PublicReportPage.tsx';
import { TrackPage } from './pages/public/TrackPage.tsx';
import { AuthProvider, isCitizenPath, useAuth, useCan } from './auth.tsx';
import { AppLayout } from './layout/AppLayout.tsx';
import { flatRoutes, visibleMenu } from './menu.tsx';
import { PasswordPage } from './pages/account/PasswordPage.tsx';
import { LoginPage } from './pages/login/LoginPage.tsx';

dayjs.locale('zh-cn');

function Root() {
  const { me, loading } = useAuth();
  const can = useCan();
  const location = useLocation();
  if (isCitizenPath(location.pathname)) return location.pathname.startsWith('/report') ? <PublicReportPage /> : <TrackPage />;
  if (loading) return <Spin fullscreen tip="加载中…" />;
  if (!me) return (
    <Routes>
      <Route path="*" element={<LoginPage />} />
    </Routes>
  );
  if (me.mustChangePassword) return <PasswordPage forced />;
  const routes = flatRoutes(visibleMenu(can));
  return (
    <Routes>
      <Route element={<AppLayout />}>
        {routes.map((r) => <Route key={r.key} path={r.key} element={r.element} />)}
        <Route path="/account/password" element={<PasswordPage />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider locale={zhCN} theme={{ token: { colorPrimary: '#b7312c', borderRadius: 4 } }}>
      <AntApp>
        <BrowserRouter>
          <AuthProvider>
            <Root />
          </AuthProvider>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
