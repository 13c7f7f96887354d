import { MEDICATION_REPORT } from '../forms/medication-report';
import { DocumentFormPage } from './HandoffFormPage';

/** 服薬情報提供書を作成して送る (docs/web-app.md, 服薬情報提供書): the document form machinery with its own definition. */
export default function MedicationReportPage() {
  return (
    <DocumentFormPage
      definition={MEDICATION_REPORT}
      sentDetail="送付先（主治医・介護支援専門員）ごとに受信箱へ届きました。受領の状況は患者ページのタイムラインに表示されます。"
    />
  );
}
