import { Button, Group, Modal, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { api, onServerActivity } from '../api/http.ts';

/** How long before the end the user is warned (or half the idle time when shorter). */
const WARNING_MS = 2 * 60_000;
/** The server records activity at most once a minute: its clock may be up to this much behind ours. */
const SERVER_TOUCH_MS = 60_000;

/**
 * Announces the idle timeout of a cookie session before it happens (PGSSI-S: short idle timeout
 * on health data): a dialog with "Rester connecté" (one call keeps the session) or "Se déconnecter";
 * at the end, back to the sign-in page and then to this page.
 */
export function IdleTimeout({ idleSeconds, onExpired, onSignOut }: { idleSeconds: number; onExpired: () => void; onSignOut: () => void }) {
  const [lastActivity, setLastActivity] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => onServerActivity(() => setLastActivity(Date.now())), []);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);

  const idleMs = idleSeconds * 1000;
  const expiresAt = lastActivity + Math.max(idleMs - SERVER_TOUCH_MS, idleMs / 2);
  const warnAt = expiresAt - Math.min(WARNING_MS, idleMs / 2);
  const expired = now >= expiresAt;
  const fired = useRef(false);
  useEffect(() => {
    if (expired && !fired.current) {
      fired.current = true;
      onExpired();
    }
  }, [expired, onExpired]);

  const remaining = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  const endTime = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit' }).format(expiresAt);
  return (
    <Modal
      opened={now >= warnAt && !expired}
      onClose={() => void stayConnected()}
      title="Votre session va bientôt expirer"
      closeButtonProps={{ 'aria-label': 'Rester connecté et fermer' }}
      centered
    >
      <Text size="sm">
        Sans action de votre part, vous serez déconnecté(e) à {endTime} (dans {remaining >= 60 ? `${Math.ceil(remaining / 60)} min` : `${remaining} s`}) :
        ce que vous n'avez pas enregistré serait perdu.
      </Text>
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={onSignOut}>Se déconnecter</Button>
        <Button onClick={() => void stayConnected()} data-autofocus>Rester connecté</Button>
      </Group>
    </Modal>
  );

  async function stayConnected() {
    // Any answered call is activity: the listener above moves lastActivity.
    await api('/auth/session').catch(() => undefined);
  }
}
