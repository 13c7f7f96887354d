import { useEffect, useRef, useState } from 'react';
import { Group, Paper, Text } from '@mantine/core';
import { StatusLine } from '../../shell/StatusLine';
import { announcement, endTime, remaining, urgency } from './countdown';

const COLORS = { normal: 'blue', soon: 'orange', last: 'red' } as const;

/**
 * The time left of the emergency grant (the hub's `until`), shown every second as a timer (`role="timer"`, which screen
 * readers do not read out on each change) and announced by a polite status line only at a few steps (30, 15, 10, 5, 3
 * and 1 minutes left, and the end). `onEnd` runs once when the time is up.
 */
const systemNow = () => Date.now();

export function GrantCountdown({ until, onEnd, now = systemNow }: { until: number; onEnd: () => void; now?: () => number }) {
  const [left, setLeft] = useState(() => remaining(until, now()));
  const [said, setSaid] = useState('');
  const before = useRef(left.ms);
  const ended = useRef(false);
  const end = useRef(onEnd);
  end.current = onEnd;

  useEffect(() => {
    const tick = () => {
      const next = remaining(until, now());
      const words = announcement(before.current, next.ms);
      before.current = next.ms;
      if (words) setSaid(words);
      setLeft(next);
      if (next.ended && !ended.current) {
        ended.current = true;
        end.current();
      }
    };
    tick();
    const timer = window.setInterval(tick, 1000);
    return () => window.clearInterval(timer);
  }, [until, now]);

  const level = urgency(left.ms);
  return (
    <Paper component="section" withBorder p="xs" radius="md" bd={`2px solid var(--mantine-color-${COLORS[level]}-filled)`} aria-label="緊急時アクセスの残り時間">
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Text size="sm" fw={600}>
          閲覧できる残り時間
        </Text>
        <Group gap={6} wrap="nowrap" align="baseline">
          <Text role="timer" aria-label={left.words} fz={28} fw={700} lh={1} c={`${COLORS[level]}.9`} style={{ fontVariantNumeric: 'tabular-nums' }}>
            {left.clock}
          </Text>
          <Text size="sm">（{endTime(until)} まで）</Text>
        </Group>
      </Group>
      <Text size="xs" mt={4}>
        期限が来ると、この画面の患者情報は消去されます。
      </Text>
      <StatusLine text={said} />
    </Paper>
  );
}
