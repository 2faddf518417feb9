import { Anchor, AppShell, Burger, Button, Group, NavLink, Text, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { useSignOut, type SessionInfo } from '../api/session.ts';
import { AUTH_METHOD_LABELS, roleLabel } from '../lib/roles.ts';
import { IdleTimeout } from './IdleTimeout.tsx';
import { homeOf, navigationFor } from './navigation.ts';

/**
 * The signed-in frame: a skip link, the header (who is signed in, with which role, and logout),
 * the navigation of the user's roles (a menu button on a phone) and the page.
 */
export function AppLayout({ session, children }: { session: SessionInfo; children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const signOut = useSignOut();
  const { principal } = session;
  const entries = navigationFor(principal.roles);
  const cardSession = principal.authMethod === 'cps';

  // RequireSession then shows the sign-in page; after an idle timeout, with this page to come back to.
  const logout = () => void signOut('deconnexion');
  const expire = () => void signOut('inactivite');

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a href="#contenu" className="dcc-skip-link">Aller au contenu</a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Fermer le menu' : 'Ouvrir le menu'} aria-expanded={opened} aria-controls="navigation-principale" />
            <Anchor component={Link} to={homeOf(principal.roles)} fw={700} c="dcc.8" underline="never" aria-label="DCC — accueil">
              DCC
            </Anchor>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <div style={{ textAlign: 'right', minWidth: 0 }} data-testid="current-user">
              <Text size="sm" fw={600} truncate>{principal.displayName}</Text>
              <Text size="xs" c="dimmed" truncate visibleFrom="xs">
                {roleLabel(principal.roles)}
                <VisuallyHidden> — connexion par </VisuallyHidden>
                <span aria-hidden="true"> · </span>
                {AUTH_METHOD_LABELS[principal.authMethod] ?? principal.authMethod}
              </Text>
            </div>
            {cardSession
              ? <Text size="xs" c="dimmed" maw={140}>Retirez votre carte pour vous déconnecter</Text>
              : <Button variant="default" size="xs" onClick={logout}>Se déconnecter</Button>}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" id="navigation-principale" component="nav" aria-label="Navigation principale">
        {entries.map((entry) => (
          <NavLink
            key={entry.to}
            component={Link}
            to={entry.to}
            label={entry.label}
            active={location.pathname === entry.to || location.pathname.startsWith(`${entry.match ?? entry.to}/`)}
            aria-current={location.pathname === entry.to ? 'page' : undefined}
            onClick={close}
          />
        ))}
        <NavLink component={Link} to="/compte" label="Mon compte" active={location.pathname === '/compte'} onClick={close} />
      </AppShell.Navbar>
      <AppShell.Main id="contenu">
        {children}
      </AppShell.Main>
      {session.idleTimeoutSeconds && <IdleTimeout idleSeconds={session.idleTimeoutSeconds} onExpired={expire} onSignOut={logout} />}
    </AppShell>
  );
}
