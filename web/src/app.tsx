import { useQuery } from '@tanstack/react-query';
import { SearchOutlined } from '@ant-design/icons';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import nlNL from 'antd/locale/nl_NL';
import { Suspense, lazy, useEffect, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router';
import { ApiError, api } from './api.ts';
import { applyLanguage } from './i18n.ts';
import { Shell, homeOf } from './layout.tsx';
import { ForgotPasswordPage, SetPasswordPage } from './pages/set-password.tsx';
import { OneClickPage } from './pages/one-click.tsx';
import { SetupPage } from './pages/setup.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { SessionContext } from './session.ts';
import { prefersReducedMotion, stillTheme, subscribeToReducedMotion, theme } from './theme.ts';

// Each screen is its own chunk, loaded when first opened: the sign-in page and the shell come first.
const AuditLogPage = lazy(() => import('./pages/audit-log.tsx').then((m) => ({ default: m.AuditLogPage })));
const AgreementPage = lazy(() => import('./pages/agreement.tsx').then((m) => ({ default: m.AgreementPage })));
const BoardViewPage = lazy(() =>
  import('./pages/board-view.tsx').then((m) => ({ default: m.BoardViewPage })),
);
const BonusPage = lazy(() => import('./pages/bonus.tsx').then((m) => ({ default: m.BonusPage })));
const PlanPage = lazy(() => import('./pages/plan.tsx').then((m) => ({ default: m.PlanPage })));
const CommitmentPage = lazy(() =>
  import('./pages/commitment.tsx').then((m) => ({ default: m.CommitmentPage })),
);
const ImportPage = lazy(() => import('./pages/import.tsx').then((m) => ({ default: m.ImportPage })));
const AccountsPage = lazy(() => import('./pages/accounts.tsx').then((m) => ({ default: m.AccountsPage })));
const AccountPage = lazy(() => import('./pages/accounts.tsx').then((m) => ({ default: m.AccountPage })));
const ContactsPage = lazy(() => import('./pages/contacts.tsx').then((m) => ({ default: m.ContactsPage })));
const CommitmentsPage = lazy(() =>
  import('./pages/commitments.tsx').then((m) => ({ default: m.CommitmentsPage })),
);
const FormsPage = lazy(() => import('./pages/forms.tsx').then((m) => ({ default: m.FormsPage })));
const AttributionPage = lazy(() =>
  import('./pages/attribution.tsx').then((m) => ({ default: m.AttributionPage })),
);
const GlossaryPage = lazy(() => import('./pages/glossary.tsx').then((m) => ({ default: m.GlossaryPage })));
const HandoffPage = lazy(() => import('./pages/handoff.tsx').then((m) => ({ default: m.HandoffPage })));
const LeadPage = lazy(() => import('./pages/lead.tsx').then((m) => ({ default: m.LeadPage })));
const MyLeadsPage = lazy(() => import('./pages/my-leads.tsx').then((m) => ({ default: m.MyLeadsPage })));
const OverviewPage = lazy(() => import('./pages/overview.tsx').then((m) => ({ default: m.OverviewPage })));
const OnboardingPage = lazy(() =>
  import('./pages/onboarding.tsx').then((m) => ({ default: m.OnboardingPage })),
);
const PrivacyPage = lazy(() => import('./pages/privacy.tsx').then((m) => ({ default: m.PrivacyPage })));
const ProfilePage = lazy(() => import('./pages/profile.tsx').then((m) => ({ default: m.ProfilePage })));
const ScoringPage = lazy(() => import('./pages/scoring.tsx').then((m) => ({ default: m.ScoringPage })));
const SettingsPage = lazy(() => import('./pages/settings.tsx').then((m) => ({ default: m.SettingsPage })));
const TeamBoardPage = lazy(() =>
  import('./pages/team-board.tsx').then((m) => ({ default: m.TeamBoardPage })),
);
const UnassignedPage = lazy(() =>
  import('./pages/unassigned.tsx').then((m) => ({ default: m.UnassignedPage })),
);

export function App() {
  const { t, i18n } = useTranslation();
  const session = useQuery({
    queryKey: ['session'],
    queryFn: api.session,
    retry: (count, error) => !(error instanceof ApiError && error.status === 401) && count < 2,
    staleTime: 60_000,
  });
  const user = session.data?.user;
  const reducedMotion = useSyncExternalStore(subscribeToReducedMotion, prefersReducedMotion);
  useEffect(() => {
    if (user && user.language !== i18n.language) applyLanguage(user.language);
  }, [user, i18n.language]);

  return (
    <ConfigProvider
      locale={i18n.language === 'nl' ? nlNL : enUS}
      theme={reducedMotion ? stillTheme : theme}
      wave={{ disabled: reducedMotion }}
      // The search button is named by its icon: in the reader's language, not antd's "search".
      inputSearch={{ searchIcon: <SearchOutlined aria-label={t('common.search')} /> }}
    >
      <AntApp>
        {session.isPending ? (
          <main className="baton-loading">
            <Spin size="large" />
          </main>
        ) : !user ? (
          <Routes>
            <Route path="/setup" element={<SetupPage />} />
            <Route path="/set-password" element={<SetPasswordPage />} />
            <Route path="/act" element={<OneClickPage />} />
            <Route path="/forgot-password" element={<ForgotPasswordPage />} />
            <Route path="*" element={<SignInPage />} />
          </Routes>
        ) : (
          <SessionContext.Provider value={user}>
            <Shell>
              <Suspense fallback={<Spin size="large" />}>
                <Routes>
                  <Route path="/" element={<Navigate to={homeOf(user.role)} replace />} />
                  <Route path="/leads" element={<MyLeadsPage />} />
                  <Route path="/leads/:id" element={<LeadPage />} />
                  <Route path="/contacts" element={<ContactsPage />} />
                  <Route path="/accounts" element={<AccountsPage />} />
                  <Route path="/accounts/:id" element={<AccountPage />} />
                  <Route path="/team" element={<TeamBoardPage />} />
                  <Route path="/queue/unassigned" element={<UnassignedPage />} />
                  <Route path="/handoff" element={<HandoffPage />} />
                  <Route path="/overview" element={<OverviewPage />} />
                  <Route path="/attribution" element={<AttributionPage />} />
                  <Route path="/plan" element={<PlanPage />} />
                  <Route path="/agreement" element={<AgreementPage />} />
                  <Route path="/bonus" element={<BonusPage />} />
                  <Route path="/board" element={<BoardViewPage />} />
                  <Route path="/commitments" element={<CommitmentsPage />} />
                  <Route path="/import" element={<ImportPage />} />
                  <Route path="/commitments/:id" element={<CommitmentPage />} />
                  <Route path="/forms" element={<FormsPage />} />
                  <Route path="/scoring" element={<ScoringPage />} />
                  <Route path="/settings" element={<SettingsPage />} />
                  <Route path="/audit-log" element={<AuditLogPage />} />
                  <Route path="/glossary" element={<GlossaryPage />} />
                  <Route path="/profile" element={<ProfilePage />} />
                  <Route path="/privacy" element={<PrivacyPage />} />
                  <Route path="/getting-started" element={<OnboardingPage />} />
                  <Route path="/setup" element={<Navigate to="/getting-started" replace />} />
                  <Route path="/set-password" element={<Navigate to="/profile" replace />} />
                  <Route path="/act" element={<OneClickPage />} />
                  <Route path="/sign-in" element={<Navigate to={homeOf(user.role)} replace />} />
                  <Route path="*" element={<Navigate to={homeOf(user.role)} replace />} />
                </Routes>
              </Suspense>
            </Shell>
          </SessionContext.Provider>
        )}
      </AntApp>
    </ConfigProvider>
  );
}
