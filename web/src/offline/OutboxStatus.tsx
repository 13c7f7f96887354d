import { Link } from 'react-router-dom';
import { Button } from '@mantine/core';
import { useOutbox } from './OutboxProvider';

/** 未送信 n in the header while the device holds entries not yet on the hub (要修正 n when one needs a correction). */
export function OutboxStatus() {
  const { entries } = useOutbox();
  if (entries.length === 0) {
    return null;
  }
  const needsFix = entries.filter((e) => e.state === 'needs-fix').length;
  const label = needsFix > 0 ? `要修正 ${needsFix}` : `未送信 ${entries.length}`;
  return (
    <Button
      component={Link}
      to="/outbox"
      size="compact-xs"
      variant="light"
      color={needsFix > 0 ? 'red' : 'orange'}
      aria-label={`未送信の記録 ${entries.length}件${needsFix > 0 ? `（要修正 ${needsFix}件）` : ''}`}
      data-testid="outbox-status"
    >
      {label}
    </Button>
  );
}
