import { Link } from 'react-router-dom';
import { Alert, Button, Group, Loader, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { Bundle, Task } from 'fhir/r4';
import type { Session } from '../../auth/session';
import { useFhirClient } from '../../fhir/FhirProvider';
import type { FhirError } from '../../fhir/errors';
import { unansweredOf, unansweredSearch } from './unanswered';

/** 未回答の連絡票 on the physician's home, kept live (its key starts with Task, which contact-form events refresh). */
export function UnansweredContactForms({ session }: { session: Session }) {
  const client = useFhirClient();
  const me = { organization: session.organization, practitionerRole: session.practitionerRole, practitioner: session.practitioner };
  const search = unansweredSearch(me);
  const tasks = useQuery<Task[], FhirError>({
    queryKey: ['Task', 'home-unanswered', search],
    enabled: Boolean(search),
    queryFn: async ({ signal }) => {
      const found = await client.request<Bundle>('GET', search!, undefined, {}, signal);
      return (found.entry ?? []).map((e) => e.resource).filter((r): r is Task => r?.resourceType === 'Task');
    },
  });
  if (!search) return null;
  if (tasks.isPending) return <Loader size="sm" aria-label="未回答の連絡票を読み込み中" />;
  if (tasks.isError) {
    return (
      <Text size="sm" c="red.8">
        未回答の連絡票を確認できませんでした。受信箱を開いて確認してください。
      </Text>
    );
  }
  const { count, overdue, first } = unansweredOf(tasks.data, me, Date.now());
  return (
    <Alert color={overdue ? 'red' : count ? 'orange' : 'teal'} title={count ? `未回答の連絡票 ${count}件` : '未回答の連絡票はありません'} role="status">
      {count > 0 && (
        <>
          <Text size="sm">
            {overdue ? `うち${overdue}件は返信希望日を過ぎています。` : ''}
            {first ? `最も急ぐもの：${first.patient || '患者'}さん（${first.sender || '差出人不明'}）${first.deadline ? `・${first.deadline.label}` : ''}` : ''}
          </Text>
          <Group mt="xs" gap="xs">
            {first && (
              <Button component={Link} to={first.link} size="xs">
                最も急ぐ連絡票に回答する
              </Button>
            )}
            <Button component={Link} to="/inbox" size="xs" variant="light">
              受信箱で一覧を見る
            </Button>
          </Group>
        </>
      )}
    </Alert>
  );
}
