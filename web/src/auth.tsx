import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useLocation } from 'react-router-dom';
import { api, onUnauthorized, type Me } from './api.ts';

/** expired: the session ended under someone at work (idle timeout, logged out elsewhere), not a first visit. */
type AuthState = { me: Me | null; loading: boolean; expired: boolean; refresh: () => Promise<void>; setMe: (m: Me | null) => void; logout: () => Promise<void> };
const AuthContext = createContext<AuthState | null>(null);

/** The citizen's pages (/report, /track and below; /reports is the staff's 分析报告): no login, no session to ask about. */
export const isCitizenPath = (pathname: string) => ['/report', '/track'].some((page) => pathname === page || pathname.startsWith(`${page}/`));

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMeState] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const [expired, setExpired] = useState(false);
  const current = useRef<Me | null>(null);
  const setMe = useCallback((m: Me | null) => {
    current.current = m;
    if (m) setExpired(false);
    setMeState(m);
  }, []);
  const refresh = useCallback(async () => {
    try {
      setMe(await api<Me>('/auth/me'));
    } catch {
      setMe(null);
    } finally {
      setLoading(false);
    }
  }, [setMe]);
  // a citizen's page does not ask for a session (an anonymous 401 in the browser's console); the first staff page does
  const { pathname } = useLocation();
  const asked = useRef(false);
  useEffect(() => {
    if (asked.current || isCitizenPath(pathname)) return;
    asked.current = true;
    void refresh();
  }, [pathname, refresh]);
  useEffect(() => onUnauthorized(() => {
    if (current.current) setExpired(true);
    setMe(null);
  }), [setMe]);
  const logout = useCallback(async () => {
    await api('/auth/logout', { method: 'POST', body: {} }).catch(() => {});
    setMe(null);
  }, [setMe]);
  return <AuthContext.Provider value={{ me, loading, expired, refresh, setMe, logout }}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

export function useCan() {
  const { me } = useAuth();
  return (permission: string) => !!me?.permissions.includes(permission);
}

/** Whether the permission is held for the whole city (some actions, such as checking the whole audit chain, need that). */
export function useCanCityWide() {
  const { me } = useAuth();
  return (permission: string) => !!me?.cityWidePermissions.includes(permission);
}
