import { Alert } from '@mantine/core';
import { Page } from '../../components/Page.tsx';

// Placeholder reserved for the issue 15 (responsable sécurité): replaced by its pages.
export default function SecurityHomePage() {
  return (
    <Page title="Sécurité">
      <Alert color="blue" role="status">Ces pages arrivent bientôt.</Alert>
    </Page>
  );
}
