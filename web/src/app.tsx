import { useQuery } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import nlNL from 'antd/locale/nl_NL';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router';
import { ApiError, api } from './api.ts';
import { applyLanguage } from './i18n.ts';
import { Shell, homeOf } from './layout.tsx';
import { CommitmentPage } from './pages/commitment.tsx';
import { FormsPage } from './pages/forms.tsx';
import { GlossaryPage } from './pages/glossary.tsx';
import { HandoffPage } from './pages/handoff.tsx';
import { LeadPage } from './pages/lead.tsx';
import { MyLeadsPage } from './pages/my-leads.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { ProfilePage } from './pages/profile.tsx';
import { ScoringPage } from './pages/scoring.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { TeamBoardPage } from './pages/team-board.tsx';
import { UnassignedPage } from './pages/unassigned.tsx';
import { SessionContext } from './session.ts';
import { theme } from './theme.ts';

export function App() {
  const { i18n } = useTranslation();
  const session = useQuery({
    queryKey: ['session'],
    queryFn: api.session,
    retry: (count, error) => !(error instanceof ApiError && error.status === 401) && count < 2,
    staleTime: 60_000,
  });
  const user = session.data?.user;
  useEffect(() => {
    if (user && user.language !== i18n.language) applyLanguage(user.language);
  }, [user, i18n.language]);

  return (
    <ConfigProvider locale={i18n.language === 'nl' ? nlNL : enUS} theme={theme}>
      <AntApp>
        {session.isPending ? (
          <main className="baton-loading">
            <Spin size="large" />
          </main>
        ) : !user ? (
          <SignInPage />
        ) : (
          <SessionContext.Provider value={user}>
            <Shell>
              <Routes>
                <Route path="/" element={<Navigate to={homeOf(user.role)} replace />} />
                <Route path="/leads" element={<MyLeadsPage />} />
                <Route path="/leads/:id" element={<LeadPage />} />
                <Route path="/team" element={<TeamBoardPage />} />
                <Route path="/queue/unassigned" element={<UnassignedPage />} />
                <Route path="/handoff" element={<HandoffPage />} />
                <Route path="/overview" element={<OverviewPage />} />
                <Route path="/commitments/:id" element={<CommitmentPage />} />
                <Route path="/forms" element={<FormsPage />} />
                <Route path="/scoring" element={<ScoringPage />} />
                <Route path="/settings" element={<SettingsPage />} />
                <Route path="/glossary" element={<GlossaryPage />} />
                <Route path="/profile" element={<ProfilePage />} />
                <Route path="*" element={<Navigate to={homeOf(user.role)} replace />} />
              </Routes>
            </Shell>
          </SessionContext.Provider>
        )}
      </AntApp>
    </ConfigProvider>
  );
}
