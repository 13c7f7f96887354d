import 'dayjs/locale/ja';
import '@mantine/dates/styles.css';
import { DateInput, DatesProvider } from '@mantine/dates';
import { formatInputDate, parseInputDate } from './dates';

const CALENDAR_LABELS = {
  previousMonth: '前の月',
  nextMonth: '次の月',
  previousYear: '前の年',
  nextYear: '次の年',
  previousDecade: '前の10年',
  nextDecade: '次の10年',
  monthLevelControl: '月を選ぶ',
  yearLevelControl: '年を選ぶ',
};

/**
 * A date as Japanese forms write it (2026年12月7日(月)), typed (2026/12/7, 令和8年12月7日 …) or picked from a calendar in
 * Japanese (日 月 火 …, weeks from Sunday); the answer is the FHIR date (YYYY-MM-DD), '' when cleared.
 */
export function DateField({
  value,
  onChange,
  ...common
}: {
  label: string;
  description?: string;
  error?: string;
  withAsterisk?: boolean;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <DatesProvider settings={{ locale: 'ja', firstDayOfWeek: 0, weekendDays: [0, 6] }}>
      <DateInput
        {...common}
        value={value || null}
        onChange={(v) => onChange(v ?? '')}
        valueFormat={formatInputDate}
        dateParser={parseInputDate}
        placeholder="例: 2026年12月7日"
        monthLabelFormat="YYYY年M月"
        yearLabelFormat="YYYY年"
        monthsListFormat="M月"
        getDayAriaLabel={(day) => formatInputDate(day)}
        ariaLabels={CALENDAR_LABELS}
        clearable
        clearButtonProps={{ 'aria-label': '日付を消す' }}
      />
    </DatesProvider>
  );
}
