import { Card, Table } from '@mantine/core';
import { useSession } from '../api/session.ts';
import { Page } from '../components/Page.tsx';
import { AUTH_METHOD_LABELS, roleLabel } from '../lib/roles.ts';

/** /compte: who I am for the DCC (name, roles, identifiers, how I signed in). */
export default function AccountPage() {
  const { data } = useSession();
  const p = data!.principal;
  const minutes = data?.idleTimeoutSeconds ? Math.round(data.idleTimeoutSeconds / 60) : undefined;
  return (
    <Page title="Mon compte">
      <Card withBorder>
        <Table>
          <Table.Tbody>
            <Table.Tr><Table.Th scope="row">Nom</Table.Th><Table.Td>{p.displayName}</Table.Td></Table.Tr>
            <Table.Tr><Table.Th scope="row">Profil</Table.Th><Table.Td>{roleLabel(p.roles)}</Table.Td></Table.Tr>
            {p.idnps && <Table.Tr><Table.Th scope="row">IDNPS</Table.Th><Table.Td>{p.idnps}</Table.Td></Table.Tr>}
            <Table.Tr><Table.Th scope="row">Connexion</Table.Th><Table.Td>{AUTH_METHOD_LABELS[p.authMethod] ?? p.authMethod}</Table.Td></Table.Tr>
            {minutes && <Table.Tr><Table.Th scope="row">Déconnexion automatique</Table.Th><Table.Td>après {minutes} minutes sans activité</Table.Td></Table.Tr>}
          </Table.Tbody>
        </Table>
      </Card>
    </Page>
  );
}
