import type { ReactNode } from 'react';
import { Table, Text, type MantineSpacing } from '@mantine/core';
import type { DeadlineState } from './patient/format';

export interface RecipientRow {
  key?: string;
  recipient: ReactNode;
  state: ReactNode;
  deadline?: DeadlineState;
}

/** The recipients of a sent document or contact form: who, the state of their Task, and its deadline (red when overdue). */
export function RecipientsTable({
  rows,
  recipientHeading,
  deadlineHeading,
  mt,
}: {
  rows: RecipientRow[];
  recipientHeading: string;
  deadlineHeading: string;
  mt?: MantineSpacing;
}) {
  return (
    <Table mt={mt} striped withRowBorders={false} fz="sm">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{recipientHeading}</Table.Th>
          <Table.Th>状態</Table.Th>
          <Table.Th>{deadlineHeading}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.key}>
            <Table.Td>{r.recipient}</Table.Td>
            <Table.Td>{r.state}</Table.Td>
            <Table.Td>
              {r.deadline ? (
                <Text span size="sm" fw={r.deadline.overdue ? 700 : 400} c={r.deadline.overdue ? 'red.8' : undefined} data-overdue={r.deadline.overdue || undefined}>
                  {r.deadline.label}
                </Text>
              ) : (
                '期限なし'
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
