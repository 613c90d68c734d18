import { NotificationBell } from './components/notification-bell.tsx';
import { useFocusableScrollRegions } from './components/scroll-regions.ts';
import { useQueryClient } from '@tanstack/react-query';
import { MenuOutlined } from '@ant-design/icons';
import { Button, Drawer, Grid, Layout, Menu, Segmented, Space, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import type { Role } from '../../src/contract/common.ts';
import { api } from './api.ts';
import { applyLanguage, type LanguageCode } from './i18n.ts';
import { navOf, paths, type NavKey } from './navigation.ts';
import { useUser } from './session.ts';

export function homeOf(role: Role): string {
  return paths[navOf[role][0]!];
}

/** Switches the language for this browser and, signed in, for the user's emails too. */
export function LanguageSwitch({ signedIn }: { signedIn: boolean }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  return (
    <Segmented<LanguageCode>
      aria-label={t('nav.language')}
      size="small"
      value={i18n.language === 'nl' ? 'nl' : 'en'}
      options={[
        { label: 'EN', value: 'en', title: 'English' },
        { label: 'NL', value: 'nl', title: 'Nederlands' },
      ]}
      onChange={(language) => {
        applyLanguage(language);
        if (signedIn)
          void api.updateMe({ language }).then((user) => {
            queryClient.setQueryData(['session'], (old: { user: unknown } | undefined) =>
              old ? { ...old, user } : old,
            );
          });
      }}
    />
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const user = useUser();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const items = navOf[user.role].map((key) => ({ key, label: t(`nav.${key}`) }));
  const selected = (Object.keys(paths) as NavKey[])
    .filter((key) => location.pathname.startsWith(paths[key]))
    .sort((a, b) => paths[b].length - paths[a].length)[0];

  // A full reload after signing out: nothing of the last person's data stays in the page's memory,
  // and the sign-in page starts clean (clearing the cache under a mounted query left the shell up).
  const signOut = async () => {
    await api.signOut().catch(() => undefined);
    queryClient.clear();
    window.location.assign('/');
  };

  // Below a laptop's width the menu is a drawer over the page, opened from the header: it never
  // covers the page's title nor squeezes the page beside it.
  useFocusableScrollRegions();
  const screens = Grid.useBreakpoint();
  const narrow = screens.lg === false;
  const [menuOpen, setMenuOpen] = useState(false);
  const menu = (
    <nav aria-label={t('nav.main')}>
      <Menu
        theme="dark"
        mode="inline"
        selectedKeys={selected ? [selected] : []}
        items={items}
        onClick={({ key }) => {
          setMenuOpen(false);
          void navigate(paths[key as NavKey]);
        }}
      />
    </nav>
  );

  return (
    <Layout className="baton-shell">
      {!narrow && (
        <Layout.Sider theme="dark" width={220}>
          <div className="baton-brand">Baton</div>
          {menu}
        </Layout.Sider>
      )}
      {narrow && (
        <Drawer
          placement="left"
          open={menuOpen}
          onClose={() => setMenuOpen(false)}
          size={260}
          title="Baton"
          closable={{ 'aria-label': t('nav.closeMenu') }}
          className="baton-menu-drawer"
          styles={{ body: { padding: 0, background: '#001529' } }}
        >
          {menu}
        </Drawer>
      )}
      <Layout className="baton-body">
        <Layout.Header className="baton-header">
          {narrow && (
            <Button
              className="baton-menu-button"
              icon={<MenuOutlined />}
              aria-label={t('nav.openMenu')}
              aria-expanded={menuOpen}
              onClick={() => setMenuOpen(true)}
            />
          )}
          <Space size="middle" wrap className="baton-header-tools">
            <Typography.Text>
              {user.name} · {t(`roles.${user.role}`)}
            </Typography.Text>
            <NotificationBell />
            <LanguageSwitch signedIn />
            <Button size="small" onClick={() => void signOut()}>
              {t('nav.signOut')}
            </Button>
          </Space>
        </Layout.Header>
        {/* antd's Content is the page's one main landmark. */}
        <Layout.Content>
          <div className="baton-main">{children}</div>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
