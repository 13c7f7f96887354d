import type { Home } from '../auth/profession';

/** What each profession's home offers. Items marked later are the next steps of issue 19 and its part 2. */
export interface HomeContent {
  title: string;
  lead: string;
  /** what the home will hold, in the order the user's day needs it */
  sections: ReadonlyArray<{ title: string; text: string; link?: { to: string; label: string } }>;
}

export const HOMES: Readonly<Record<Home, HomeContent>> = {
  discharge: {
    title: '退院調整',
    lead: '退院する患者の情報を、在宅のケアチームへ送ります。',
    sections: [
      {
        title: '退院時情報提供書の作成',
        text: '病院が持つ情報から下書きを作り、ケアチームと事業所を選んで送信します。',
        link: { to: '/handoff/new', label: '退院時情報提供書を作成' },
      },
      {
        title: '送信済み',
        text: '送った引継ぎごとに、受領の状況と算定要件の期限（残り日数）を表示します。',
        link: { to: '/sent', label: '送信済み一覧を開く' },
      },
    ],
  },
  'care-manager': {
    title: 'ケアマネジャー',
    lead: '病院や主治医からの引継ぎを、期限の近い順に受け取ります。',
    sections: [
      {
        title: '受信箱',
        text: '退院時の引継ぎと連絡票の返信が、期限の近い順に、届いたその場で表示されます。',
        link: { to: '/inbox', label: '受信箱を開く' },
      },
      {
        title: '主治医・ケアマネジャー連絡票',
        text: '在宅医へ連絡票を送り、返信を受け取ります。',
        link: { to: '/contact-forms', label: '連絡票の一覧を開く' },
      },
    ],
  },
  'visiting-nurse': {
    title: '訪問看護',
    lead: '担当患者の記録と、チームからの連絡を確認します。',
    sections: [
      { title: '担当患者', text: '患者一覧から、タイムライン・ケアチーム・同意の状態を確認します。' },
      { title: '訪問記録', text: 'バイタルや処置の記録をチームと共有します。' },
    ],
  },
  pharmacist: {
    title: '薬局',
    lead: '担当患者の服薬情報とチームからの連絡を確認します。',
    sections: [
      { title: '担当患者', text: '処方・服薬状況・アレルギーを確認します。' },
      { title: '服薬情報の共有', text: '訪問時の服薬状況をチームへ伝えます。' },
    ],
  },
  physician: {
    title: '医師',
    lead: '担当患者の情報と、ケアマネジャーからの連絡票に応えます。',
    sections: [
      {
        title: '連絡票',
        text: 'ケアマネジャーからの主治医・ケアマネジャー連絡票を受信箱で受け取り、回答します。',
        link: { to: '/inbox', label: '受信箱を開く' },
      },
      { title: '担当患者', text: '患者ごとのタイムライン、緊急時情報、事前指示書を確認します。' },
    ],
  },
  ems: {
    title: '救急隊',
    lead: '救急時に必要な情報（緊急連絡票・事前指示書・服薬・アレルギー）を確認します。',
    sections: [
      {
        title: '緊急時の閲覧',
        text: '搬送中の患者の情報を、理由を記録したうえで開きます（ブレークグラス、記録されます）。',
        link: { to: '/emergency', label: '患者を検索して緊急時アクセス' },
      },
    ],
  },
  // the patient and their family (roles patient, family): HomePage sends them to their record (/my); the pages of pages/mine/
  patient: {
    title: 'ご本人の記録',
    lead: '病院や在宅ケアの人たちが共有している記録を、ご本人とご家族が確認できます。',
    sections: [
      {
        title: '記録と文書',
        text: 'ケアチームの記録と、病院や事業所が作った文書を見られます。文書は印刷できます。',
        link: { to: '/my', label: '記録と文書を見る' },
      },
      {
        title: '閲覧履歴',
        text: 'だれが、いつ、何のために記録を見たかを、新しい順に確認できます。',
        link: { to: '/my/access-log', label: '閲覧履歴を見る' },
      },
      {
        title: '共有の設定',
        text: '記録を共有する病院や事業所を確認し、共有を始めたり止めたりできます。',
        link: { to: '/my/sharing', label: '共有の設定を開く' },
      },
    ],
  },
  generic: {
    title: 'ホーム',
    lead: '閲覧が許可されている患者の情報を確認できます。',
    sections: [{ title: '患者一覧', text: 'ケアチームの一員として担当している患者を表示します。' }],
  },
  admin: {
    title: 'ハブ管理',
    lead: 'ハブの稼働状態（監査ログ・認証局・通知・期限超過）を確認します。患者の情報は表示しません。',
    sections: [],
  },
};
