import { Badge, Card, List, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Fragment, useMemo, type ReactNode } from 'react';
import { calendarStatusOf, STATUS_COLOR, STATUS_LABEL } from '../lib/calendar-status.ts';

/**
 * A FHIR narrative (the XHTML the server writes for documents: p, b, ul/li, table) shown with
 * the app's components. Parsed, never injected as HTML: only these elements and their text come
 * through, so the page says exactly what the PDF says, and nothing else can run.
 */
export function Narrative({ xhtml }: { xhtml: string | undefined }) {
  const content = useMemo(() => {
    if (!xhtml) return null;
    const doc = new DOMParser().parseFromString(xhtml, 'text/html');
    return Array.from(doc.body.childNodes).map((node, i) => <Fragment key={i}>{render(node)}</Fragment>);
  }, [xhtml]);
  return <div className="dcc-narrative">{content}</div>;
}

function children(node: Node): ReactNode[] {
  return Array.from(node.childNodes).map((child, i) => <Fragment key={i}>{render(child)}</Fragment>);
}

function render(node: Node): ReactNode {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const element = node as Element;
  switch (element.tagName.toLowerCase()) {
    case 'div':
    case 'span':
      return <>{children(element)}</>;
    case 'p':
      return <Text size="sm" my={6}>{children(element)}</Text>;
    case 'b':
    case 'strong':
      return <strong>{children(element)}</strong>;
    case 'i':
    case 'em':
      return <em>{children(element)}</em>;
    case 'br':
      return <br />;
    case 'ul':
      return <List size="sm" spacing={4} my={6}>{Array.from(element.children).map((li, i) => <List.Item key={i}>{children(li)}</List.Item>)}</List>;
    case 'table':
      return <NarrativeTable table={element} />;
    default:
      return <>{children(element)}</>;
  }
}

/**
 * A table: on a phone each row becomes a small card of "header: value" lines (no sideways
 * scrolling at 360 px); on a wider screen a table, in a region reachable by keyboard if it must
 * scroll. A status cell ("EN RETARD"…) becomes a badge with its words.
 */
function NarrativeTable({ table }: { table: Element }) {
  const narrow = useMediaQuery('(max-width: 48em)');
  const headers = Array.from(table.querySelectorAll('thead th')).map((th) => th.textContent ?? '');
  const rows = Array.from(table.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.children).map((td) => td.textContent ?? ''));
  const cell = (text: string) => {
    const status = calendarStatusOf(text);
    return status ? <Badge color={STATUS_COLOR[status]} variant="filled">{STATUS_LABEL[status]}</Badge> : text;
  };
  if (narrow) {
    return (
      <Stack gap="xs" my="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {rows.map((row, r) => (
          <Card key={r} component="li" withBorder padding="xs" data-row data-status={row.map(calendarStatusOf).find(Boolean)}>
            <dl style={{ margin: 0 }}>
              {row.map((text, c) => (
                <div key={c} style={{ marginBottom: 4 }}>
                  <Text component="dt" size="xs" fw={700}>{headers[c] ?? ''}</Text>
                  <Text component="dd" size="sm" m={0}>{cell(text)}</Text>
                </div>
              ))}
            </dl>
          </Card>
        ))}
      </Stack>
    );
  }
  return (
    <div style={{ overflowX: 'auto' }} tabIndex={0} role="region" aria-label={`Tableau : ${headers.join(', ')}`}>
      <Table striped withTableBorder verticalSpacing={6} fz="sm" my="xs">
        {headers.length > 0 && (
          <Table.Thead>
            <Table.Tr>{headers.map((h, i) => <Table.Th key={i} scope="col">{h}</Table.Th>)}</Table.Tr>
          </Table.Thead>
        )}
        <Table.Tbody>
          {rows.map((row, r) => (
            <Table.Tr key={r} data-row data-status={row.map(calendarStatusOf).find(Boolean)}>
              {row.map((text, c) => <Table.Td key={c}>{cell(text)}</Table.Td>)}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}
