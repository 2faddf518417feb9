import { Anchor } from '@mantine/core';
import { Link } from 'react-router';
import { ApiError } from '../api/http.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Page } from '../components/Page.tsx';

export default function NotFoundPage() {
  return (
    <Page title="Page introuvable">
      <ErrorMessage error={new ApiError(404, "Cette adresse ne correspond à aucune page du DCC. Le lien est peut-être incomplet.")} />
      <Anchor component={Link} to="/">Retour à l'accueil</Anchor>
    </Page>
  );
}
