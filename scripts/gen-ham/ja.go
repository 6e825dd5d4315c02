package main

// jaMessages is Japanese ham: business mail between companies, the real
// brands' own transactional mail from their own domains, carrier mail,
// schools, real security notices and bounces.
func jaMessages() []msg {
	const me = "山田 太郎 <t-yamada@example.co.jp>"
	return []msg{
		// ---- business mail between companies ----
		{
			file: "biz-mitsumori-irai", from: "佐藤 健一 <k-sato@sakura-kogyo.example.co.jp>", to: me,
			subject: "お見積りのご依頼(ステンレス部品 3点)", date: "2025-04-08 10:12", cs: "iso-2022-jp",
			mailer: "X-Mailer: Microsoft Outlook 16.0",
			text: `株式会社サンプル商事
営業部 山田様

いつもお世話になっております。
さくら工業の佐藤でございます。

下記部品につきまして、お見積りをお願いできますでしょうか。

  1. SUS304 ブラケット(図番 BR-1102)  500個
  2. SUS304 カバー(図番 CV-2210)      300個
  3. SUS316 シャフト(図番 SH-0450)    120本

希望納期:5月末
納品場所:弊社 川崎工場

図面は別途お送りいたします。
ご多忙のところ恐れ入りますが、4月18日(金)までにご回答いただけますと幸いです。

何卒よろしくお願いいたします。

----------------------------------------
さくら工業株式会社 購買課
佐藤 健一
〒210-0000 神奈川県川崎市川崎区○○町1-2-3
TEL 044-000-0000  FAX 044-000-0001
----------------------------------------
`,
		},
		{
			file: "biz-mitsumori-sofu-pdf", from: me, to: "佐藤 健一 <k-sato@sakura-kogyo.example.co.jp>",
			subject: "Re: お見積りのご依頼(ステンレス部品 3点)", date: "2025-04-15 16:40", cs: "iso-2022-jp",
			inReply: "20250408011200.aa01@sakura-kogyo.example.co.jp", mailer: "X-Mailer: Microsoft Outlook 16.0",
			text: `さくら工業株式会社
購買課 佐藤様

いつもお世話になっております。
サンプル商事の山田です。

先日ご依頼いただきました件、お見積書を添付にてお送りいたします。
ご確認のほど、よろしくお願いいたします。

・お見積書番号:Q-2025-0415
・有効期限:2025年5月15日

ご不明な点がございましたら、お気軽にお問い合わせください。

引き続きよろしくお願いいたします。

--
株式会社サンプル商事 営業部
山田 太郎
TEL 03-0000-1234
`,
			att: []part{{ctype: "application/pdf", name: "御見積書_Q-2025-0415.pdf", body: pdf("Quotation Q-2025-0415", "Sample Shoji Co., Ltd.", "BR-1102 x 500", "CV-2210 x 300", "SH-0450 x 120")}},
		},
		{
			file: "biz-seikyusho-sofu", from: "経理部 中村 <keiri@hikari-design.example.jp>", to: me,
			subject: "【請求書送付】2025年4月分のご請求につきまして", date: "2025-05-01 09:05", cs: "iso-2022-jp",
			text: `株式会社サンプル商事
山田 太郎 様

平素より大変お世話になっております。
ひかりデザイン経理部の中村でございます。

2025年4月分のご請求書をPDFにてお送りいたします。

  請求書番号:INV-2504-017
  ご請求金額:￥330,000(税込)
  お支払期限:2025年5月31日

お振込先は請求書に記載の口座となります(前回から変更はございません)。
お手数をおかけいたしますが、ご査収のほどよろしくお願い申し上げます。

有限会社ひかりデザイン 経理部
中村 美咲
`,
			att: []part{{ctype: "application/pdf", name: "請求書_INV-2504-017.pdf", body: pdf("INVOICE INV-2504-017", "Hikari Design", "Total JPY 330,000")}},
		},
		{
			file: "biz-seikyusho-utf8-rfc2231", from: "株式会社みどりシステム 請求担当 <billing@midori-sys.example.co.jp>", to: me,
			subject: "請求書送付のご案内(2025年6月分)", date: "2025-07-01 11:30", cs: "utf-8", cte: "base64",
			text: `株式会社サンプル商事
ご担当者様

いつも格別のお引き立てをいただき、誠にありがとうございます。
2025年6月分の保守サービス料金につき、請求書を添付いたします。

【ご請求内容】
サーバー保守(6月分)     ¥88,000
ヘルプデスク(6月分)     ¥44,000
合計(税込)            ¥145,200

お支払期日:2025年7月31日

本メールは請求担当の共有アドレスから送信しております。
ご不明点は担当営業の木村までお問い合わせください。

株式会社みどりシステム
`,
			att: []part{{ctype: "application/pdf", name: "請求書_2025年6月分.pdf", rfc2231: true, body: pdf("Midori System Invoice 2025-06", "Total JPY 145,200")}},
		},
		{
			file: "biz-kaigi-chosei", from: "高橋 由美 <y-takahashi@aozora-tech.example.co.jp>", to: me, cc: "伊藤 誠 <m-ito@aozora-tech.example.co.jp>",
			subject: "次回お打ち合わせ日程のご相談", date: "2025-06-10 14:22", cs: "iso-2022-jp",
			mailer: "X-Mailer: Becky! ver. 2.81.04",
			text: `サンプル商事
山田様

お世話になっております。あおぞらテックの高橋です。

先日はお時間をいただきありがとうございました。
次回の定例お打ち合わせについて、以下の候補日でご都合はいかがでしょうか。

 ① 6月17日(火) 10:00~11:00
 ② 6月18日(水) 15:00~16:00
 ③ 6月20日(金) 13:30~14:30

場所は前回と同じく御社会議室、もしくはオンライン(Teams)のいずれでも構いません。
ご都合のよい日時をお知らせいただけますと幸いです。

よろしくお願いいたします。

あおぞらテック株式会社
高橋 由美
`,
		},
		{
			file: "biz-kaigi-reply-sjis", from: me, to: "高橋 由美 <y-takahashi@aozora-tech.example.co.jp>",
			subject: "Re: 次回お打ち合わせ日程のご相談", date: "2025-06-10 17:03", cs: "shift_jis", cte: "8bit",
			inReply: "20250610052200.bb02@aozora-tech.example.co.jp",
			text: `あおぞらテック
高橋様

お世話になっております。山田です。
日程のご提示ありがとうございます。

②の6月18日(水)15:00~でお願いできますでしょうか。
弊社会議室(3階 第2会議室)をご用意しておきます。

当日は弊社から私と部長の鈴木が出席いたします。
よろしくお願いいたします。

> ① 6月17日(火) 10:00~11:00
> ② 6月18日(水) 15:00~16:00
> ③ 6月20日(金) 13:30~14:30

山田
`,
		},
		{
			file: "biz-nohin-eucjp", from: "物流センター <butsuryu@kawase-seiki.example.co.jp>", to: me,
			subject: "納品のご連絡(注文番号 PO-25-0932)", date: "2025-05-22 08:45", cs: "euc-jp", cte: "8bit",
			text: `株式会社サンプル商事 御中

いつもご注文いただき誠にありがとうございます。
川瀬精機 物流センターです。

ご注文いただいた商品を本日出荷いたしました。

  注文番号   :PO-25-0932
  品名       :精密ベアリング 6202ZZ
  数量       :200個
  出荷日     :2025年5月22日
  到着予定日 :2025年5月23日 午前中
  運送会社   :西濃運輸(お問合せ番号 1234-5678-9012)

検品後、受領書へのご押印をお願いいたします。

川瀬精機株式会社 物流センター
`,
		},
		{
			file: "biz-hacchu-html", from: "購買部 小林 <kobayashi@tsubasa-foods.example.co.jp>", to: me,
			subject: "注文書送付の件", date: "2025-08-04 13:15", cs: "utf-8", cte: "quoted-printable",
			text: `サンプル商事
山田様

いつもお世話になっております。つばさ食品 購買部の小林です。

先日お見積りいただいた包装資材について、正式に発注させていただきます。
注文書を添付いたしますので、ご確認ください。

納期は8月25日(月)でお願いいたします。

つばさ食品株式会社 購買部
小林 直樹
`,
			html: `<html><body style="font-family:'Meiryo',sans-serif;font-size:14px">
<p>サンプル商事<br>山田様</p>
<p>いつもお世話になっております。つばさ食品 購買部の小林です。</p>
<p>先日お見積りいただいた包装資材について、正式に発注させていただきます。<br>
注文書を添付いたしますので、ご確認ください。</p>
<p>納期は<b>8月25日(月)</b>でお願いいたします。</p>
<p>つばさ食品株式会社 購買部<br>小林 直樹</p>
</body></html>`,
			att: []part{{ctype: "application/pdf", name: "注文書_TF-0804.pdf", body: pdf("Purchase Order TF-0804", "Tsubasa Foods")}},
		},
		{
			file: "biz-uchiawase-orei", from: "鈴木 翔 <sho.suzuki@kaede-consulting.example.jp>", to: me,
			subject: "本日のお打ち合わせのお礼", date: "2025-09-02 18:20", cs: "iso-2022-jp",
			text: `株式会社サンプル商事
山田 太郎 様

本日はご多忙の中、貴重なお時間をいただき誠にありがとうございました。
かえでコンサルティングの鈴木でございます。

御社の業務フロー改善について、具体的な課題をお聞かせいただき大変参考になりました。
いただいたご要望をもとに、来週中にご提案書を作成してお送りいたします。

取り急ぎ、御礼申し上げます。
今後ともどうぞよろしくお願いいたします。

かえでコンサルティング株式会社
鈴木 翔
`,
		},
		{
			file: "biz-nyukin-kakunin", from: "経理部 中村 <keiri@hikari-design.example.jp>", to: me,
			subject: "ご入金確認のご連絡", date: "2025-06-02 10:40", cs: "iso-2022-jp",
			text: `株式会社サンプル商事
山田 太郎 様

いつもお世話になっております。ひかりデザインの中村です。

5月30日付で、請求書番号 INV-2504-017 のご入金(￥330,000)を確認いたしました。
お手続きいただきありがとうございました。

今後ともよろしくお願いいたします。

有限会社ひかりデザイン 経理部
中村 美咲
`,
		},
		{
			file: "biz-nenmatsu-kyugyo", from: "株式会社ふじ物産 <info@fuji-bussan.example.co.jp>", to: me,
			subject: "年末年始休業のお知らせ", date: "2025-12-15 09:00", cs: "iso-2022-jp",
			text: `お取引先各位

拝啓 師走の候、貴社ますますご清栄のこととお慶び申し上げます。
平素は格別のお引き立てを賜り、厚く御礼申し上げます。

さて、弊社では誠に勝手ながら、下記の期間を年末年始休業とさせていただきます。

  休業期間:2025年12月27日(土)~2026年1月4日(日)

休業期間中にいただいたお問い合わせにつきましては、
1月5日(月)より順次対応させていただきます。

ご不便をおかけいたしますが、何卒ご了承くださいますようお願い申し上げます。

敬具

株式会社ふじ物産 総務部
`,
		},
		{
			file: "biz-cloudsign", from: "クラウドサイン <noreply@cloudsign.jp>", to: me,
			subject: "株式会社さくら工業 佐藤 健一さんから書類の確認依頼が届いています", date: "2025-10-06 15:12", cs: "utf-8", cte: "quoted-printable",
			text: `山田 太郎 様

株式会社さくら工業 佐藤 健一さんから、書類の確認依頼が届いています。

書類名:業務委託基本契約書_サンプル商事様
メッセージ:
お世話になっております。先日お話しした契約書をお送りします。ご確認の上、同意をお願いいたします。

書類の確認はこちら:
https://www.cloudsign.jp/document/5f2a9c71e3b84d0a

このメールはクラウドサインから自動送信されています。
クラウドサイン https://www.cloudsign.jp/
`,
			html: `<html><body>
<p>山田 太郎 様</p>
<p>株式会社さくら工業 佐藤 健一さんから、書類の確認依頼が届いています。</p>
<p>書類名:業務委託基本契約書_サンプル商事様</p>
<p>メッセージ:<br>お世話になっております。先日お話しした契約書をお送りします。ご確認の上、同意をお願いいたします。</p>
<p><a href="https://www.cloudsign.jp/document/5f2a9c71e3b84d0a">書類を確認する</a></p>
<p style="color:#888">このメールはクラウドサインから自動送信されています。<br><a href="https://www.cloudsign.jp/">クラウドサイン</a></p>
</body></html>`,
		},
		{
			file: "biz-shanai-keihi", from: "総務部 <soumu@example.co.jp>", to: "全社員 <all@example.co.jp>",
			subject: "【総務】経費精算の締め切りについて(6月分)", date: "2025-06-23 09:30", cs: "iso-2022-jp",
			text: `社員各位

お疲れさまです。総務部です。

6月分の経費精算の締め切りは、6月30日(月)17時です。
社内の経費精算システムから申請してください。

 ・領収書の原本は総務部ボックスへ提出してください
 ・交通費は経路と金額を必ず記入してください
 ・締め切りを過ぎた申請は翌月扱いとなります

不明点は総務部(内線 210)までお問い合わせください。

総務部
`,
		},
		{
			file: "biz-mensetsu-nittei", from: "採用担当 渡辺 <saiyo@example.co.jp>", to: "応募者 <oubo-sha@example.ne.jp>",
			subject: "【株式会社サンプル商事】一次面接日程のご案内", date: "2025-03-11 12:00", cs: "utf-8", cte: "base64",
			text: `この度は弊社の営業職にご応募いただき、誠にありがとうございます。
株式会社サンプル商事 採用担当の渡辺です。

書類選考の結果、ぜひ一次面接にお越しいただきたく、ご連絡いたしました。
以下の候補日からご都合のよい日時をご返信ください。

  3月18日(火) 10:00 / 14:00
  3月19日(水) 11:00 / 16:00

所要時間は約45分です。当日は履歴書を1部お持ちください。

株式会社サンプル商事 人事部 採用担当
渡辺 恵
`,
		},
		{
			file: "biz-kakaku-kaitei-sjis", from: "営業本部 <eigyo@ookawa-shiki.example.co.jp>", to: me,
			subject: "価格改定のお願い", date: "2025-02-03 10:00", cs: "shift_jis", cte: "base64",
			text: `お取引先各位

平素は格別のご高配を賜り、厚く御礼申し上げます。

昨今の原材料価格および物流費の高騰により、誠に遺憾ながら、
2025年4月1日出荷分より、一部製品の価格を改定させていただくこととなりました。

  対象製品:段ボールケース 全規格
  改定幅 :現行価格より 約8%

詳細な価格表は担当営業よりお届けいたします。
何卒ご理解賜りますよう、よろしくお願い申し上げます。

大川紙器株式会社 営業本部
`,
		},
		{
			file: "biz-cp932-kishu-izon", from: "㈱あさひ建設 工務部 <koumu@asahi-kensetsu.example.co.jp>", to: me,
			subject: "現場立会いの件(第3工区)", date: "2025-07-14 07:55", cs: "shift_jis", cte: "8bit",
			text: `サンプル商事 山田様

お世話になっております。㈱あさひ建設の工務部です。

第3工区の立会いについて、以下のとおりお願いいたします。

 ① 日時:7月16日(水) 9:00~
 ② 場所:第3工区 現場事務所前
 ③ 持ち物:ヘルメット、安全靴

雨天の場合は翌日に順延します(当日7時までにご連絡します)。

㈱あさひ建設 工務部
`,
		},
		{
			file: "biz-outlook-invite", from: me, to: "高橋 由美 <y-takahashi@aozora-tech.example.co.jp>",
			subject: "定例会議(6月18日 15:00~)", date: "2025-06-11 09:10", cs: "utf-8",
			root: alt("utf-8", "base64", `定例会議のご案内です。

日時:2025年6月18日(水) 15:00~16:00
場所:サンプル商事 3階 第2会議室

よろしくお願いいたします。
山田
`, "", part{ctype: "text/calendar; method=REQUEST", cs: "utf-8", cte: "base64",
				body: ics("-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "040000008200E00074C5B7101A82E008@example.co.jp", "山田 太郎:mailto:t-yamada@example.co.jp", "y-takahashi@aozora-tech.example.co.jp",
					"定例会議(あおぞらテック様)", "サンプル商事 3階 第2会議室", "20250618T060000Z", "20250618T070000Z", "20250611T001000Z")}),
		},

		// ---- shops and carriers: their own mail ----
		{
			file: "amazon-chumon-kakunin", from: "Amazon.co.jp <auto-confirm@amazon.co.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "Amazon.co.jp ご注文の確認", date: "2025-11-28 21:14", cs: "utf-8", cte: "quoted-printable",
			hops: []string{"a27-12.smtp-out.amazonses.com"},
			text: `Amazon.co.jpをご利用いただき、ありがとうございます。

山田 太郎 様

ご注文ありがとうございます。商品が発送されましたら、Eメールにてお知らせいたします。

注文番号: 503-1234567-7654321
注文日: 2025/11/28

お届け予定: 2025/11/30 (日)
お届け先: 山田 太郎 様

  Anker USB-C 急速充電器 (65W)  ¥4,990
  数量: 1

注文合計: ¥4,990

ご注文内容の確認・変更は、アカウントサービスの「注文履歴」からお手続きいただけます。
https://www.amazon.co.jp/gp/css/order-history

Amazon.co.jpでのご注文の詳細はこちらをご覧ください。
https://www.amazon.co.jp/gp/help/customer/display.html
`,
			html: `<html><body style="font-family:Arial,sans-serif">
<table width="600"><tr><td>
<p><img src="https://m.media-amazon.com/images/G/09/x-locale/common/logo.png" alt="Amazon.co.jp"></p>
<p>山田 太郎 様</p>
<p>ご注文ありがとうございます。商品が発送されましたら、Eメールにてお知らせいたします。</p>
<p>注文番号: <a href="https://www.amazon.co.jp/gp/your-account/order-details?orderID=503-1234567-7654321">503-1234567-7654321</a><br>注文日: 2025/11/28</p>
<p>お届け予定: <b>2025/11/30 (日)</b></p>
<table><tr><td>Anker USB-C 急速充電器 (65W)</td><td>¥4,990</td></tr></table>
<p>注文合計: <b>¥4,990</b></p>
<p><a href="https://www.amazon.co.jp/gp/css/order-history">注文履歴を表示</a></p>
</td></tr></table></body></html>`,
		},
		{
			file: "amazon-hassou", from: "Amazon.co.jp <shipment-tracking@amazon.co.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "Amazon.co.jp ご注文の商品を発送しました", date: "2025-11-29 08:02", cs: "utf-8", cte: "quoted-printable",
			hops: []string{"a27-30.smtp-out.amazonses.com"},
			text: `山田 太郎 様

ご注文の商品を発送しました。

お届け予定: 2025/11/30 (日)
配送業者: ヤマト運輸
お問い合わせ伝票番号: 4829-1034-5521

配送状況の確認:
https://www.amazon.co.jp/gp/your-account/ship-track?orderId=503-1234567-7654321

Amazon.co.jp
`,
			html: `<html><body><p>山田 太郎 様</p><p>ご注文の商品を発送しました。</p>
<p>お届け予定: <b>2025/11/30 (日)</b><br>配送業者: ヤマト運輸<br>お問い合わせ伝票番号: 4829-1034-5521</p>
<p><a href="https://www.amazon.co.jp/gp/your-account/ship-track?orderId=503-1234567-7654321">配送状況を確認</a></p>
<p>Amazon.co.jp</p></body></html>`,
		},
		{
			file: "rakuten-chumon", from: "楽天市場 <order@rakuten.co.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "【楽天市場】注文内容ご確認(自動配信メール)", date: "2025-10-12 20:31", cs: "iso-2022-jp",
			hops: []string{"mail-order.rakuten.co.jp"},
			text: `山田 太郎 様

この度は楽天市場をご利用いただきまして、誠にありがとうございます。
下記の内容でご注文を承りました。

■ ショップ名:おいしいお米の店
■ 受注番号 :123456-20251012-0098765432
■ 注文日時 :2025-10-12 20:31:05

[商品]
 新米 コシヒカリ 5kg  1個  3,980円
 送料               0円
 合計             3,980円

[獲得予定ポイント] 39ポイント

※本メールはご注文時点の内容です。ショップからの注文確認メールも必ずご確認ください。

購入履歴:
https://order.my.rakuten.co.jp/

楽天市場 https://www.rakuten.co.jp/
`,
		},
		{
			file: "yamato-otodoke-yotei", from: "ヤマト運輸 <mail@kuronekoyamato.co.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "お荷物お届けのお知らせ", date: "2025-11-29 09:40", cs: "iso-2022-jp",
			text: `山田 太郎 様

ヤマト運輸です。
Amazon.co.jp様からのお荷物をお届け予定です。

■お届け予定日時:11月30日(日) 14時~16時
■伝票番号:4829-1034-5521

お届け日時の変更・受け取り場所の変更は、クロネコメンバーズからご利用いただけます。
https://member.kms.kuronekoyamato.co.jp/

お荷物の状況はこちらからもご確認いただけます。
https://toi.kuronekoyamato.co.jp/cgi-bin/tneko

※このメールは送信専用です。ご返信いただいてもお答えできませんのでご了承ください。
ヤマト運輸株式会社
`,
		},
		{
			file: "sagawa-haitatsu", from: "佐川急便 <noreply@sagawa-exp.co.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "【佐川急便】お荷物のお届け予定のお知らせ", date: "2025-08-21 07:30", cs: "iso-2022-jp",
			text: `山田 太郎 様

佐川急便をご利用いただき、ありがとうございます。
お客様宛のお荷物のお届け予定をお知らせいたします。

 お問い合せ送り状No.:3601-2345-6789
 ご依頼主    :株式会社ヨドバシカメラ
 お届け予定日  :8月21日(木)
 お届け時間帯  :午前中

配達状況の確認はこちら:
https://k2k.sagawa-exp.co.jp/p/sagawa/web/okurijoinput.jsp

佐川急便株式会社
`,
		},
		{
			file: "japanpost-yupack", from: "日本郵便 <noreply@trackings.post.japanpost.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "[日本郵便]ゆうパックお届け予定のお知らせ", date: "2025-12-18 06:50", cs: "iso-2022-jp",
			text: `山田 太郎 様

日本郵便株式会社です。
お客様宛のゆうパックのお届け予定をお知らせします。

 お問い合わせ番号:1234-5678-9012
 お届け予定日  :12月18日(木)
 差出人     :ふるさと物産館

配達状況の確認、お届け日時の変更は以下のページから行えます。
https://trackings.post.japanpost.jp/services/srv/search/?requestNo1=123456789012

このメールは配信専用のアドレスから送信しています。
日本郵便株式会社 https://www.post.japanpost.jp/
`,
		},
		{
			file: "yodobashi-chumon", from: "ヨドバシ・ドット・コム <thanks_gochuumon@yodobashi.com>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "ヨドバシ・ドット・コム:ご注文ありがとうございます", date: "2025-08-19 22:05", cs: "iso-2022-jp",
			text: `山田 太郎 様

ヨドバシ・ドット・コムをご利用いただき、誠にありがとうございます。
ご注文を承りましたのでお知らせいたします。

【ご注文番号】 1234567890
【ご注文日】  2025年08月19日

 ソニー ワイヤレスイヤホン WF-1000XM5  1点  39,600円
 ゴールドポイント還元(10%)  3,960ポイント

【お支払方法】 クレジットカード
【配達方法】  佐川急便

ご注文内容は「注文履歴」からご確認いただけます。
https://order.yodobashi.com/yc/orderhistory/index.html

ヨドバシ・ドット・コム https://www.yodobashi.com/
`,
		},

		// ---- cards, banks, securities ----
		{
			file: "smbc-card-meisai", from: "三井住友カード <statement@vpass.ne.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "【三井住友カード】ご利用明細のお知らせ", date: "2025-09-05 10:00", cs: "iso-2022-jp",
			hops: []string{"mail.vpass.ne.jp"},
			text: `山田 太郎 様

いつも三井住友カードをご利用いただきありがとうございます。
9月お支払い分のご利用明細をVpassにてご確認いただけます。

 お支払日:2025年9月26日(金)
 お支払金額:Vpassにログインしてご確認ください

▼ご利用明細の確認はこちら
https://www.vpass.ne.jp/

※本メールは送信専用アドレスからお送りしております。
三井住友カード株式会社
https://www.smbc-card.com/
`,
		},
		{
			file: "smbc-card-riyou-tsuchi", from: "三井住友カード <info@smbc-card.com>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "ご利用のお知らせ【三井住友カード】", date: "2025-10-03 19:42", cs: "utf-8", cte: "quoted-printable",
			text: `山田 太郎 様

三井住友カードをご利用いただきありがとうございます。
以下のご利用がありましたのでお知らせいたします。

 ご利用日時:2025/10/03 19:41
 ご利用先:セブン-イレブン
 ご利用金額:1,280円

ご利用内容の詳細はVpassでご確認いただけます。
https://www.vpass.ne.jp/

「ご利用通知サービス」の設定はVpassから変更できます。
三井住友カード株式会社
`,
			html: `<html><body><p>山田 太郎 様</p>
<p>三井住友カードをご利用いただきありがとうございます。<br>以下のご利用がありましたのでお知らせいたします。</p>
<table><tr><td>ご利用日時</td><td>2025/10/03 19:41</td></tr><tr><td>ご利用先</td><td>セブン-イレブン</td></tr><tr><td>ご利用金額</td><td>1,280円</td></tr></table>
<p><a href="https://www.vpass.ne.jp/">Vpassでご利用内容を確認する</a></p>
<p>三井住友カード株式会社</p></body></html>`,
		},
		{
			file: "mufg-furikomi", from: "三菱UFJ銀行 <info@bk.mufg.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "【三菱UFJ銀行】お振込受付のお知らせ", date: "2025-07-25 12:31", cs: "iso-2022-jp",
			text: `山田 太郎 様

三菱UFJダイレクトをご利用いただき、ありがとうございます。
以下のお振込を受け付けました。

 受付日時:2025年7月25日 12:30
 振込先 :ヒカリデザイン(ユ
 金額  :330,000円

お心当たりのない場合は、三菱UFJダイレクトのヘルプデスクへご連絡ください。
https://www.bk.mufg.jp/tsukau/direct/

株式会社三菱UFJ銀行
`,
		},
		{
			file: "yucho-direct-login", from: "ゆうちょ銀行 <yucho-direct@jp-bank.japanpost.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "【ゆうちょ銀行】ゆうちょダイレクトへのログインのお知らせ", date: "2025-05-12 21:18", cs: "iso-2022-jp",
			text: `山田 太郎 様

いつもゆうちょダイレクトをご利用いただきありがとうございます。
以下の日時にゆうちょダイレクトへのログインがありました。

 ログイン日時:2025年05月12日 21時17分

お客様ご本人によるログインであれば、本メールへの対応は不要です。

ゆうちょダイレクト https://direct.jp-bank.japanpost.jp/
株式会社ゆうちょ銀行 https://www.jp-bank.japanpost.jp/
`,
		},
		{
			file: "rakuten-card-riyou", from: "楽天カード株式会社 <info@mail.rakuten-card.co.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "カード利用のお知らせ(本人ご利用分)", date: "2025-11-03 14:05", cs: "iso-2022-jp",
			text: `山田 太郎 様

楽天カードをご利用いただき誠にありがとうございます。
お客様のカードご利用内容をお知らせいたします。

《ショッピングご利用分》
■利用日: 2025/11/03
■利用先: 楽天市場
■利用者: 本人
■支払方法: 1回
■利用金額: 3,980 円

ご利用明細は楽天e-NAVIからご確認いただけます。
https://www.rakuten-card.co.jp/e-navi/

楽天カード株式会社
`,
		},
		{
			file: "jcb-meisai-kakutei", from: "JCB <mail@qa.jcb.co.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "【JCB】カードご利用代金明細確定のお知らせ", date: "2025-10-26 09:00", cs: "utf-8", cte: "base64",
			text: `山田 太郎 様

いつもJCBカードをご利用いただき、誠にありがとうございます。
11月10日お支払い分のカードご利用代金明細が確定しました。

ご利用明細はMyJCBでご確認ください。
https://my.jcb.co.jp/

お支払日:2025年11月10日(月)

株式会社ジェーシービー
https://www.jcb.co.jp/
`,
		},
		{
			file: "sbisec-yakujo", from: "SBI証券 <info@sbisec.co.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "【SBI証券】約定通知", date: "2025-06-16 15:05", cs: "iso-2022-jp",
			text: `山田 太郎 様

いつもSBI証券をご利用いただき、ありがとうございます。
ご注文が約定しましたのでお知らせいたします。

 銘柄  :トヨタ自動車(7203)
 取引  :現物買
 約定数量:100株
 約定単価:2,750円

詳細はWEBサイトの「取引履歴」にてご確認ください。
https://www.sbisec.co.jp/

株式会社SBI証券
`,
		},
		{
			file: "rakuten-sec-nyukin", from: "楽天証券 <info@rakuten-sec.co.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "【楽天証券】入金完了のお知らせ", date: "2025-04-01 10:20", cs: "iso-2022-jp",
			text: `山田 太郎 様

楽天証券をご利用いただきありがとうございます。
以下のとおりご入金を確認いたしました。

 入金日 :2025年4月1日
 入金額 :100,000円
 入金方法:楽天銀行マネーブリッジ

ログインはこちら:https://www.rakuten-sec.co.jp/

楽天証券株式会社
`,
		},
		{
			file: "monex-torihiki-hokokusho", from: "マネックス証券 <info@monex.co.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "【マネックス証券】電子交付書面のお知らせ", date: "2025-07-08 08:00", cs: "utf-8", cte: "quoted-printable",
			text: `山田 太郎 様

マネックス証券をご利用いただき誠にありがとうございます。
以下の書面を電子交付いたしました。

 ・取引報告書(2025年7月7日約定分)

ログイン後、「電子交付書面」からご確認ください。
https://www.monex.co.jp/

マネックス証券株式会社
`,
		},

		// ---- travel, marketplaces, payments ----
		{
			file: "ekinet-yoyaku", from: "えきねっと <info@eki-net.com>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "【えきねっと】申込内容のお知らせ", date: "2025-08-08 22:40", cs: "iso-2022-jp",
			text: `山田 太郎 様

えきねっとをご利用いただきありがとうございます。
以下の内容で申込を受け付けました。

 乗車日 :2025年8月13日
 列車  :はやぶさ17号
 区間  :東京 10:20発 → 仙台 11:50着
 設備  :普通車指定席 7号車 5番A席
 人数  :おとな1名

受取方法:新幹線eチケット
申込内容の確認・変更:
https://www.eki-net.com/

東日本旅客鉄道株式会社
`,
		},
		{
			file: "mercari-torihiki", from: "メルカリ <no-reply@mercari.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "「ワイヤレスマウス」の取引が完了しました", date: "2025-09-14 18:22", cs: "utf-8", cte: "base64",
			text: `山田 太郎 様

購入者が受取評価を行い、取引が完了しました。

商品名:ワイヤレスマウス
販売価格:¥1,800
販売利益:¥1,420

取引画面:
https://jp.mercari.com/transaction/m12345678901

売上金は「マイページ」の「売上・振込申請」から確認できます。

メルカリ https://jp.mercari.com/
`,
			html: `<html><body><p>山田 太郎 様</p><p>購入者が受取評価を行い、取引が完了しました。</p>
<p>商品名:ワイヤレスマウス<br>販売価格:¥1,800<br>販売利益:¥1,420</p>
<p><a href="https://jp.mercari.com/transaction/m12345678901">取引画面を見る</a></p>
<p><a href="https://jp.mercari.com/">メルカリ</a></p></body></html>`,
		},
		{
			file: "paypay-shiharai", from: "PayPay <no-reply@paypay.ne.jp>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "【PayPay】支払い完了のお知らせ", date: "2025-12-01 12:48", cs: "utf-8", cte: "quoted-printable",
			text: `PayPayをご利用いただきありがとうございます。
以下の支払いが完了しました。

支払い日時:2025年12月1日 12:47
支払い先:ランチ食堂 さくら
金額:950円

取引履歴はPayPayアプリからご確認ください。
https://paypay.ne.jp/

PayPay株式会社
`,
		},
		{
			file: "jal-yoyaku", from: "JAL <jalinfo@jal.com>", to: "山田 太郎 <taro.yamada@example.jp>",
			subject: "【JAL国内線】ご予約内容のお知らせ", date: "2026-01-20 13:10", cs: "iso-2022-jp",
			text: `山田 太郎 様

JALをご利用いただき誠にありがとうございます。
ご予約内容をお知らせいたします。

 予約番号 :ABC123
 便名   :JAL 905便
 搭乗日  :2026年2月10日(火)
 区間   :羽田 10:00発 → 那覇 12:55着
 座席   :普通席 23A

ご予約の確認・変更:https://www.jal.co.jp/jp/ja/dom/

日本航空株式会社
`,
		},

		// ---- newsletters and marketing the recipient subscribed to ----
		{
			file: "news-nikkei", from: "日経電子版 <newsletter@nikkei.com>", to: "taro.yamada@example.jp",
			subject: "【日経電子版】朝刊ピックアップ(12月5日)", date: "2025-12-05 06:30", cs: "utf-8", cte: "quoted-printable",
			hdr: unsub("https://www.nikkei.com/mail/unsubscribe?m=a1b2c3d4", "unsubscribe@nikkei.com"),
			text: `日経電子版 朝刊ピックアップ 2025年12月5日

・日銀、追加利上げの議論本格化へ
  https://www.nikkei.com/article/DGXZQOUB0410A0U5A201C2000000/
・半導体投資、地方に広がる
  https://www.nikkei.com/article/DGXZQOUC0311B0T01C25A2000000/
・年末商戦、EC売上が過去最高に
  https://www.nikkei.com/article/DGXZQOUC0206K0S5A201C2000000/

配信停止・設定変更:https://www.nikkei.com/mail/
日本経済新聞社
`,
			html: `<html><body><h2>朝刊ピックアップ 2025年12月5日</h2><ul>
<li><a href="https://www.nikkei.com/article/DGXZQOUB0410A0U5A201C2000000/">日銀、追加利上げの議論本格化へ</a></li>
<li><a href="https://www.nikkei.com/article/DGXZQOUC0311B0T01C25A2000000/">半導体投資、地方に広がる</a></li>
<li><a href="https://www.nikkei.com/article/DGXZQOUC0206K0S5A201C2000000/">年末商戦、EC売上が過去最高に</a></li></ul>
<p style="font-size:11px"><a href="https://www.nikkei.com/mail/">配信停止・設定変更</a> | 日本経済新聞社</p></body></html>`,
		},
		{
			file: "news-uniqlo-sale", from: "ユニクロ <news@mail.uniqlo.com>", to: "taro.yamada@example.jp",
			subject: "【期間限定価格】ヒートテック、ウルトラライトダウンがお買い得", date: "2025-11-14 10:00", cs: "utf-8", cte: "base64",
			hdr: unsub("https://www.uniqlo.com/jp/ja/member/mail/unsubscribe", ""),
			text: `ユニクロ メールマガジン

今週末の期間限定価格!
・ヒートテッククルーネックT 1,290円 → 990円
・ウルトラライトダウンジャケット 6,990円 → 4,990円
期間:11月14日(金)~11月20日(木)

オンラインストアはこちら
https://www.uniqlo.com/jp/ja/

メール配信停止はこちら
https://www.uniqlo.com/jp/ja/member/mail/unsubscribe
`,
			html: `<html><body style="margin:0"><table width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table width="600"><tr><td><a href="https://www.uniqlo.com/jp/ja/"><img src="https://image.uniqlo.com/mail/2025/1114/hero.jpg" width="600" alt="期間限定価格"></a></td></tr>
<tr><td style="padding:16px;font-size:15px">今週末の期間限定価格!<br>ヒートテッククルーネックT <s>1,290円</s> <b style="color:#c00">990円</b><br>ウルトラライトダウンジャケット <s>6,990円</s> <b style="color:#c00">4,990円</b><br>期間:11月14日(金)~11月20日(木)</td></tr>
<tr><td align="center"><a href="https://www.uniqlo.com/jp/ja/" style="background:#e00;color:#fff;padding:10px 30px;text-decoration:none">オンラインストアで見る</a></td></tr>
<tr><td style="font-size:11px;color:#777;padding:16px">このメールは配信を希望された方にお送りしています。<a href="https://www.uniqlo.com/jp/ja/member/mail/unsubscribe">配信停止</a><br>株式会社ユニクロ</td></tr></table>
</td></tr></table></body></html>`,
		},
		{
			file: "news-qiita", from: "Qiita <noreply@qiita.com>", to: "taro.yamada@example.jp",
			subject: "今週のQiitaトレンド記事", date: "2025-10-20 08:00", cs: "utf-8", cte: "quoted-printable",
			hdr: unsub("https://qiita.com/settings/notifications", ""),
			text: `今週のトレンド記事をお届けします。

1. Go 1.25 で変わったこと まとめ
   https://qiita.com/example-user/items/0a1b2c3d4e5f6a7b8c9d
2. PostgreSQL のインデックスを正しく貼る
   https://qiita.com/example-user/items/1b2c3d4e5f6a7b8c9d0e
3. はじめての Rust 非同期処理
   https://qiita.com/example-user/items/2c3d4e5f6a7b8c9d0e1f

通知設定:https://qiita.com/settings/notifications
Qiita https://qiita.com/
`,
		},
		{
			file: "news-zozotown-sale", from: "ZOZOTOWN <mail@zozo.jp>", to: "taro.yamada@example.jp",
			subject: "最大70%OFF!ブラックフライデー開催中", date: "2025-11-21 12:00", cs: "iso-2022-jp",
			hdr: unsub("https://zozo.jp/_member/mailmagazine.html", ""),
			html: `<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-2022-JP"></head><body>
<div style="text-align:center"><a href="https://zozo.jp/sale/"><img src="https://o.imgz.jp/mail/2025/bf/main.jpg" alt="ブラックフライデー 最大70%OFF"></a></div>
<p>ZOZOTOWNのブラックフライデーが開催中です。人気ブランドのアイテムが最大70%OFF。</p>
<p>期間:11月21日(金)12:00~11月30日(日)23:59</p>
<p><a href="https://zozo.jp/sale/">セール会場はこちら</a></p>
<p style="font-size:11px">メールマガジンの配信停止は<a href="https://zozo.jp/_member/mailmagazine.html">こちら</a><br>株式会社ZOZO</p>
</body></html>`,
		},

		// ---- mobile carriers: personal mail and notices ----
		{
			file: "docomo-personal-sjis", from: "hanako.y-0312@docomo.ne.jp", to: "taro.yamada@example.jp",
			subject: "今日の夕飯", date: "2025-06-05 17:48", cs: "shift_jis", cte: "8bit", hops: []string{"mfsmax.docomo.ne.jp"},
			text: `お疲れさま!
今日カレーにするね{{S:F8EE}}帰りに牛乳買ってきてもらえる?
何時ごろになりそう?{{S:F89F}}
`,
		},
		{
			file: "ezweb-personal-jis", from: "yuki_0820.k@ezweb.ne.jp", to: "taro.yamada@example.jp",
			subject: "週末のこと", date: "2025-07-11 21:03", cs: "iso-2022-jp", hops: []string{"mx.ezweb.ne.jp"},
			text: `こんばんは!
土曜日のバーベキュー、11時に駅の改札集合でいいかな?
飲み物はこっちで用意しておくね{{J:7541}}
雨だったら日曜にしよう。
`,
		},
		{
			file: "au-com-personal", from: "kenta.m.1990@au.com", to: "taro.yamada@example.jp",
			subject: "写真送ります", date: "2025-08-17 19:25", cs: "utf-8", cte: "base64", hops: []string{"mx.au.com"},
			text: `この前の旅行の写真、共有アルバムに入れておいたよ。
見られなかったら言ってね。
次は冬にスキー行こう!
`,
		},
		{
			file: "softbank-personal-sjis", from: "mama.sato-2@softbank.ne.jp", to: "taro.yamada@example.jp",
			subject: "お米届いた?", date: "2025-10-15 11:12", cs: "shift_jis", cte: "8bit", hops: []string{"mx.softbank.ne.jp"},
			text: `太郎へ
実家からお米送ったけど届いたかな?
寒くなってきたから体に気をつけてね{{S:F7AC}}
母より
`,
		},
		{
			file: "isoftbank-personal-iphone", from: "Ryo <ryo.tanaka.77@i.softbank.jp>", to: "taro.yamada@example.jp",
			subject: "Re: 明日の件", date: "2025-09-25 23:41", cs: "iso-2022-jp", hops: []string{"mx.i.softbank.jp"},
			mailer: "X-Mailer: iPhone Mail (22A3354)", inReply: "20250925143000.cc11@example.jp",
			text: `了解です!
明日は9時に現地で大丈夫です。
資料は印刷して持っていきますね。

iPhoneから送信
`,
		},
		{
			file: "docomo-oshirase", from: "ドコモ <info@docomo.ne.jp>", to: "taro.yamada@example.jp",
			subject: "【ドコモ】ご利用料金確定のお知らせ", date: "2025-11-20 10:00", cs: "iso-2022-jp", hops: []string{"mail.docomo.ne.jp"},
			text: `いつもドコモをご利用いただき、ありがとうございます。
2025年10月ご利用分の料金が確定しました。

ご利用料金の確認はMy docomoから
https://www.docomo.ne.jp/mydocomo/

※本メールは送信専用アドレスから配信しております。
株式会社NTTドコモ
`,
		},
		{
			file: "au-oshirase", from: "au <info@au.com>", to: "taro.yamada@example.jp",
			subject: "【au】データ容量のご利用状況のお知らせ", date: "2025-12-22 09:00", cs: "utf-8", cte: "quoted-printable",
			text: `いつもauをご利用いただきありがとうございます。
今月のデータ容量のご利用が80%に達しました。

ご利用状況はMy auからご確認いただけます。
https://www.au.com/my-au/

KDDI株式会社
`,
		},
		{
			file: "softbank-oshirase", from: "ソフトバンク <info@softbank.jp>", to: "taro.yamada@example.jp",
			subject: "【ソフトバンク】機種変更お手続き完了のお知らせ", date: "2025-09-28 16:10", cs: "iso-2022-jp",
			text: `ソフトバンクをご利用いただきありがとうございます。
機種変更のお手続きが完了しました。

お手続き内容はMy SoftBankでご確認いただけます。
https://my.softbank.jp/

ソフトバンク株式会社
`,
		},

		// ---- schools ----
		{
			file: "school-hogosha", from: "さくら小学校 <info@sakura-es.example.ed.jp>", to: "保護者各位 <hogosha@sakura-es.example.ed.jp>",
			subject: "【さくら小学校】運動会開催のお知らせ", date: "2025-09-26 16:00", cs: "iso-2022-jp",
			text: `保護者の皆様

いつも本校の教育活動にご理解とご協力をいただき、ありがとうございます。
明日の運動会は予定どおり開催いたします。

 ・開会式 8:45(児童は8:10までに登校)
 ・持ち物 水筒、帽子、タオル、お弁当
 ・保護者席は校庭東側です

雨天の場合は、当日6時30分にこのメールでお知らせします。

さくら小学校 教頭
`,
		},
		{
			file: "univ-rishu", from: "教務課 <kyomu@fuji-u.example.ac.jp>", to: "学部学生各位 <students@fuji-u.example.ac.jp>",
			subject: "【重要】後期履修登録期間について", date: "2025-09-12 09:00", cs: "utf-8", cte: "base64",
			text: `学部学生各位

後期の履修登録期間は以下のとおりです。

  期間:9月22日(月)9:00 ~ 9月29日(月)17:00

学務システムにログインして登録してください。
https://gakumu.fuji-u.example.ac.jp/

期間外の登録は原則として認められませんので注意してください。

富士大学 教務課
`,
		},

		// ---- real account security mail ----
		{
			file: "yahoo-login-tsuchi", from: "Yahoo! JAPAN <security-noreply@mail.yahoo.co.jp>", to: "taro.yamada@example.jp",
			subject: "ログインのお知らせ", date: "2025-04-22 22:14", cs: "iso-2022-jp",
			text: `Yahoo! JAPAN IDにログインがありました。

日時 :2025年4月22日 22時13分
環境 :Windows / Chrome

ご自身によるログインの場合は、このメールへの対応は不要です。
心当たりがない場合は、ログイン履歴を確認してください。
https://login.yahoo.co.jp/config/login_history

Yahoo! JAPAN
`,
		},
		{
			file: "mercari-password-reset", from: "メルカリ <no-reply@mercari.jp>", to: "taro.yamada@example.jp",
			subject: "パスワード再設定のご案内", date: "2025-05-30 08:31", cs: "utf-8", cte: "base64",
			text: `パスワード再設定のリクエストを受け付けました。
以下のURLから30分以内にパスワードを再設定してください。

https://jp.mercari.com/password/reset?token=8f3c1a9e5b2d47f0

このリクエストに心当たりがない場合は、このメールを破棄してください。パスワードは変更されません。

メルカリ
`,
		},
		{
			file: "amazon-password-reset", from: "Amazon.co.jp <account-update@amazon.co.jp>", to: "taro.yamada@example.jp",
			subject: "Amazonパスワードアシスタンス", date: "2025-03-03 19:02", cs: "utf-8", cte: "quoted-printable",
			hops: []string{"a27-55.smtp-out.amazonses.com"},
			text: `パスワードの再設定を完了するには、次のワンタイムパスワード(OTP)を入力してください:

482913

このOTPは10分間有効です。
Amazonがお客様のパスワードをお尋ねすることはありません。

Amazon.co.jp
https://www.amazon.co.jp/
`,
		},
		{
			file: "google-security-ja", from: "Google <no-reply@accounts.google.com>", to: "taro.yamada@example.jp",
			subject: "セキュリティ通知", date: "2025-11-09 07:46", cs: "utf-8", cte: "base64",
			hops: []string{"mail-sor-f69.google.com"},
			text: `新しいデバイスでのログイン
taro.yamada@example.jp

お使いの Google アカウントに新しい Windows デバイスからログインがありました。
このメールは、ご自身によるログインであることを確認するためにお送りしています。

アクティビティを確認
https://myaccount.google.com/notifications

Google LLC
`,
		},
		{
			file: "line-login", from: "LINE <no-reply@line.me>", to: "taro.yamada@example.jp",
			subject: "[LINE] ログインのお知らせ", date: "2025-08-02 12:03", cs: "utf-8", cte: "quoted-printable",
			text: `LINEアカウントにPC版でログインしました。

日時:2025/08/02 12:02

ログインした覚えがない場合は、LINEアプリの[ホーム]>[設定]>[アカウント]>[ログイン中の端末]から確認してください。

LINEヘルプセンター https://help.line.me/
`,
		},
		{
			file: "microsoft-code-ja", from: "Microsoft アカウント チーム <account-security-noreply@accountprotection.microsoft.com>", to: "taro.yamada@example.jp",
			subject: "Microsoft アカウントのセキュリティ コード", date: "2025-06-19 10:27", cs: "utf-8", cte: "quoted-printable",
			text: `Microsoft アカウント

セキュリティ コード

Microsoft アカウント ta*****@example.jp のセキュリティ コードとして次のコードを使用してください。

セキュリティ コード: 735184

このコードに心当たりがない場合は、このメールを無視してください。

ありがとうございます。
Microsoft アカウント チーム
https://account.microsoft.com/
`,
		},

		// ---- bounces ----
		{
			file: "ndr-office365-ja", from: "Microsoft Outlook <postmaster@sampleshoji.onmicrosoft.com>", to: me,
			subject: "Undeliverable: 見積書送付の件", date: "2025-04-15 16:41", cs: "utf-8",
			hops: []string{"TYCPR01MB1234.jpnprd01.prod.outlook.com"}, mx: "TYCPR01MB5678.jpnprd01.prod.outlook.com",
			root: dsn(`配信できませんでした:

sato@sakura-kogyo.example.co.jp

宛先の電子メール システムで、宛先のメールボックスが見つかりませんでした。
宛先のアドレスが正しいかご確認のうえ、再送してください。

Delivery has failed to these recipients or groups:
sato@sakura-kogyo.example.co.jp
The email address you entered couldn't be found.

Diagnostic information for administrators:
Generating server: TYCPR01MB1234.jpnprd01.prod.outlook.com
Remote server returned '550 5.1.1 <sato@sakura-kogyo.example.co.jp>: Recipient address rejected: User unknown'
`, "utf-8", "TYCPR01MB1234.jpnprd01.prod.outlook.com", "sato@sakura-kogyo.example.co.jp", "5.1.1",
				"550 5.1.1 <sato@sakura-kogyo.example.co.jp>: Recipient address rejected: User unknown",
				"Tue, 15 Apr 2025 07:40:58 +0000",
				"From: "+addr("iso-2022-jp", "山田 太郎 <t-yamada@example.co.jp>")+`
To: sato@sakura-kogyo.example.co.jp
Subject: `+htext("iso-2022-jp", "見積書送付の件")+`
Date: Tue, 15 Apr 2025 07:40:51 +0000
Message-ID: <TYCPR01MB1234ABCD@TYCPR01MB1234.jpnprd01.prod.outlook.com>
MIME-Version: 1.0`),
		},
		{
			file: "ndr-gmail", from: "Mail Delivery Subsystem <mailer-daemon@googlemail.com>", to: "taro.yamada@example.jp",
			subject: "Delivery Status Notification (Failure)", date: "2025-07-03 20:15", cs: "us-ascii",
			hops: []string{"mail-sor-f41.google.com"},
			root: dsn(`** Address not found **

Your message wasn't delivered to kaede.old@example.com because the address couldn't be found, or is unable to receive mail.

Learn more here: https://support.google.com/mail/?p=NoSuchUser

The response was:

The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser
`, "us-ascii", "googlemail.com", "kaede.old@example.com", "5.1.1",
				"550-5.1.1 The email account that you tried to reach does not exist.",
				"Thu, 03 Jul 2025 04:15:20 -0700 (PDT)",
				`From: taro.yamada@example.jp
To: kaede.old@example.com
Subject: `+htext("utf-8", "久しぶりです")+`
Date: Thu, 3 Jul 2025 20:15:11 +0900
Message-ID: <CAAbcd1234@mail.gmail.com>`),
		},
		{
			file: "ndr-postfix-rfc3464", from: "Mail Delivery System <MAILER-DAEMON@mail.example.co.jp>", to: me,
			subject: "Undelivered Mail Returned to Sender", date: "2025-05-20 11:02", cs: "us-ascii", mx: "mbox.example.co.jp",
			hops: []string{"mail.example.co.jp"},
			root: dsn(`This is the mail system at host mail.example.co.jp.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<info@kawase-seiki.example.co.jp>: host mx.kawase-seiki.example.co.jp[198.51.100.20]
    said: 552 5.2.2 Mailbox full (in reply to RCPT TO command)
`, "us-ascii", "mail.example.co.jp", "info@kawase-seiki.example.co.jp", "5.2.2",
				"552 5.2.2 Mailbox full", "Tue, 20 May 2025 11:01:58 +0900 (JST)",
				"From: "+addr("iso-2022-jp", "山田 太郎 <t-yamada@example.co.jp>")+`
To: info@kawase-seiki.example.co.jp
Subject: `+htext("iso-2022-jp", "ベアリングの追加注文")+`
Date: Tue, 20 May 2025 11:01:50 +0900
Message-ID: <20250520020150.dd01@example.co.jp>`),
		},
		{
			file: "ndr-exchange-ja", from: "postmaster@example.co.jp", to: me,
			subject: "配信不能: 定例会議資料", date: "2025-02-14 18:05", cs: "iso-2022-jp", hops: []string{"EX01.corp.example.co.jp"}, mx: "EX02.corp.example.co.jp",
			root: dsn(`次の受信者またはグループへの配信に失敗しました:

suzuki-old@example.co.jp
このメール アドレスは見つかりませんでした。アドレスを確認してもう一度送信してください。

管理者向けの診断情報:
生成元サーバー: EX01.corp.example.co.jp
suzuki-old@example.co.jp
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'
`, "iso-2022-jp", "EX01.corp.example.co.jp", "suzuki-old@example.co.jp", "5.1.10",
				"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
				"Fri, 14 Feb 2025 09:05:01 +0000",
				`From: t-yamada@example.co.jp
To: suzuki-old@example.co.jp
Subject: `+htext("iso-2022-jp", "定例会議資料")+`
Date: Fri, 14 Feb 2025 09:04:58 +0000
Message-ID: <EX01ABCD1234@EX01.corp.example.co.jp>`),
		},

		// ---- more business and services ----
		{
			file: "kyokai-eucjp-list", from: "日本サンプル工業会 事務局 <jimukyoku@sample-kogyokai.example.or.jp>", to: "会員各位 <members@sample-kogyokai.example.or.jp>",
			subject: "[会員ML:0412] 第58回 定時総会のご案内", date: "2025-05-09 13:00", cs: "euc-jp", cte: "8bit",
			hdr: []string{"List-Id: <members.sample-kogyokai.example.or.jp>", "Precedence: bulk"},
			text: `会員各位

日本サンプル工業会 事務局です。
第58回定時総会を下記のとおり開催いたします。

  日時:2025年6月12日(木) 14:00~16:00
  会場:東京都千代田区 ○○会館 2階ホール
  議題:2024年度事業報告、2025年度事業計画ほか

出欠のご回答を5月30日までに事務局あてにお願いいたします。

日本サンプル工業会 事務局
`,
		},
		{
			file: "zoom-invite-ja", from: "Zoom <no-reply@zoom.us>", to: "taro.yamada@example.jp",
			subject: "高橋 由美さんがあなたを Zoom ミーティングに招待しています", date: "2025-06-16 11:00", cs: "utf-8", cte: "quoted-printable",
			text: `高橋 由美さんがあなたを予約された Zoom ミーティングに招待しています。

トピック: 定例会議(オンライン)
時刻: 2025年6月18日 03:00 PM 大阪、札幌、東京

Zoom ミーティングに参加する
https://us06web.zoom.us/j/81234567890?pwd=aBcDeFgHiJkLmNoPqRsTuV

ミーティング ID: 812 3456 7890
パスコード: 452910
`,
		},
		{
			file: "backlog-tsuchi", from: "Backlog <noreply@backlog.jp>", to: "taro.yamada@example.jp",
			subject: "[SAMPLE-123] 見積システム改修 の課題が更新されました", date: "2025-10-29 17:20", cs: "utf-8", cte: "base64",
			text: `高橋 由美さんが課題を更新しました。

[SAMPLE-123] 見積システム改修
状態: 処理中 → 処理済み
担当者: 山田 太郎

コメント:
テスト環境への反映が完了しました。確認をお願いします。

https://sample.backlog.jp/view/SAMPLE-123

--
通知設定の変更: https://sample.backlog.jp/EditNotificationSetting.action
`,
		},
		{
			file: "rakuten-bank-nyukin", from: "楽天銀行 <info@ac.rakuten-bank.co.jp>", to: "taro.yamada@example.jp",
			subject: "[楽天銀行]ご入金のお知らせ", date: "2025-12-10 09:12", cs: "iso-2022-jp",
			text: `山田 太郎 様

いつも楽天銀行をご利用いただきありがとうございます。
お客様の口座へご入金がありました。

 入金日 :2025/12/10
 入金額 :285,000円
 振込人 :カ)サンプルシヨウジ

詳細はログイン後「入出金明細」でご確認ください。
https://www.rakuten-bank.co.jp/

楽天銀行株式会社
`,
		},
		{
			file: "furusato-nozei", from: "ふるさとチョイス <info@furusato-tax.jp>", to: "taro.yamada@example.jp",
			subject: "【ふるさとチョイス】寄附お申し込み完了のお知らせ", date: "2025-12-28 23:02", cs: "utf-8", cte: "quoted-printable",
			text: `山田 太郎 様

ふるさとチョイスをご利用いただきありがとうございます。
以下の内容で寄附のお申し込みを受け付けました。

寄附先:北海道 サンプル町
寄附金額:10,000円
お礼の品:ホタテ貝柱 500g

寄附金受領証明書は自治体から郵送されます。
マイページ:https://www.furusato-tax.jp/mypage

株式会社トラストバンク
`,
		},
	}
}
