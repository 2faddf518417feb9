import { Badge, List, Table, Text } from '@mantine/core';
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

/** A table: scrolls sideways on a phone; a status cell ("EN RETARD"…) becomes a badge with its words. */
function NarrativeTable({ table }: { table: Element }) {
  const headers = Array.from(table.querySelectorAll('thead th')).map((th) => th.textContent ?? '');
  const rows = Array.from(table.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.children).map((td) => td.textContent ?? ''));
  return (
    <Table.ScrollContainer minWidth={560} my="xs">
      <Table striped withTableBorder verticalSpacing={6} fz="sm">
        {headers.length > 0 && (
          <Table.Thead>
            <Table.Tr>{headers.map((h, i) => <Table.Th key={i} scope="col">{h}</Table.Th>)}</Table.Tr>
          </Table.Thead>
        )}
        <Table.Tbody>
          {rows.map((row, r) => (
            <Table.Tr key={r} data-status={row.map(calendarStatusOf).find(Boolean)}>
              {row.map((cell, c) => {
                const status = calendarStatusOf(cell);
                return (
                  <Table.Td key={c}>
                    {status ? <Badge color={STATUS_COLOR[status]} variant="filled">{STATUS_LABEL[status]}</Badge> : cell}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
