package lure

import "github.com/sekisho/sekisho/internal/pipeline"

// Symbols.
const (
	SymFromRandomDomain   = "FROM_RANDOM_DOMAIN"
	SymFromRandomLocal    = "FROM_RANDOM_LOCAL"
	SymFromAbusedTLD      = "FROM_ABUSED_TLD"
	SymFromPlatformTenant = "FROM_PLATFORM_TENANT"
	SymFromBadDomain      = "FROM_BAD_DOMAIN"
	SymFromBrokenList     = "HDR_FROM_BROKEN_LIST"
	SymFancyText          = "HDR_STYLED_OR_MIXED_SCRIPT"
	SymEmojiSubject       = "HDR_SUBJECT_EMOJI"
	SymReplyEmojiSubject  = "HDR_RE_EMOJI_SUBJECT"
	SymEmojiName          = "HDR_FROM_NAME_EMOJI"
	SymRcptInSubject      = "HDR_RCPT_IN_SUBJECT"
	SymFromIsRcpt         = "HDR_FROM_IS_RCPT"
	SymURLRandomDomain    = "URL_RANDOM_DOMAIN"
	SymURLKitPath         = "URL_PHISH_KIT_PATH"
	SymURLRcptInLink      = "URL_RCPT_IN_LINK"
	SymURLProxyWrapper    = "URL_PROXY_WRAPPER"
	SymImageLinkOnly      = "MIME_IMAGE_LINK_ONLY"
	SymShortCTA           = "MIME_SHORT_CALL_TO_ACTION"
	SymHiddenPoison       = "MIME_HIDDEN_TEXT_POISON"
	SymAuthorityClaim     = "IMP_AUTHORITY_CLAIM"
	SymServiceDeskClaim   = "IMP_SERVICE_DESK_CLAIM"
	SymBrandClaim         = "IMP_BRAND_CLAIM_UNRELATED"
	SymBrandTypo          = "IMP_BRAND_NAME_TYPO"
	SymNameRandomTail     = "FROM_NAME_RANDOM_TAIL"
	SymRandomToken        = "HDR_RANDOM_TOKEN"
	SymSpacedLetters      = "HDR_SPACED_LETTERS"
	SymPixelUnrelated     = "MIME_TRACKING_PIXEL_UNRELATED"
)

func init() {
	const g = "lure"
	s, p := pipeline.CategorySpam, pipeline.CategoryPhishing
	d := func(name string, w float64, c pipeline.Category, en, ja string) pipeline.SymbolDef {
		return pipeline.SymbolDef{Name: name, Weight: w, Category: c, Group: g, EN: en, JA: ja}
	}
	pipeline.Register(
		d(SymNameRandomTail, 1.5, s, "The sender's webmail address is its display name followed by random letters (\"Karen Thomas\" as thomaskarenijqwfuib@…): mailboxes registered in bulk.",
			"差出人のフリーメールのアドレスが、表示名の後にランダムな文字を付けた形です(「Karen Thomas」→ thomaskarenijqwfuib@…)。大量に登録されたメールボックスの特徴です。"),
		d(SymRandomToken, 1.5, s, "The subject or sender name carries a random mixed-case string (\"qWrUAngJaLJzBndSE\"), added per message so that no two copies look alike.",
			"件名や差出人名に大文字・小文字・数字が不規則に混ざった文字列(「qWrUAngJaLJzBndSE」等)が付いています。1通ごとに変えて、同じメールと見抜かれないようにする手口です。"),
		d(SymPixelUnrelated, 0.1, s, "A tracking pixel (a 1×1 image) is loaded from a site that is neither the sender's nor any of the message's links': a copied page or a spam run checking which addresses are read.",
			"追跡用の画像(1×1ピクセル)が、差出人のものでもメール内のリンク先でもないサイトから読み込まれます。他のページを複製したメールや、どのアドレスが読まれたかを調べる迷惑メールの特徴です。"),
		d(SymSpacedLetters, 1.0, s, "The subject or sender name spells a word with its letters spaced apart (\"A D A C\", \"E n t r e g a\") so that filters do not see the word.",
			"件名や差出人名が文字の間に空白を入れて単語を書いています(「A D A C」等)。フィルターに単語を見つけさせないための手口です。"),
		d(SymFromRandomDomain, 1.5, s, "The sender's domain name is a random string, as bulk senders register by the thousand.",
			"差出人のドメイン名がランダムな文字列です。大量送信業者が使い捨てで大量登録するドメインの特徴です。"),
		d(SymFromRandomLocal, 1.0, s, "The sender's address is made of random characters (generated per message).",
			"差出人アドレスがランダムな文字列です(1通ごとに自動生成されたもの)。"),
		d(SymFromAbusedTLD, 0.5, s, "The sender's domain is under a top-level domain much used for throw-away spam domains (a weak sign).",
			"差出人ドメインが、使い捨てのスパム用ドメインに多いトップレベルドメインです(弱い兆候)。"),
		d(SymFromPlatformTenant, 1.0, s, "The mail comes from a customer subdomain of a cloud or hosting platform (a tenant anyone can open).",
			"誰でも開設できるクラウド/ホスティングサービスの利用者用サブドメインから送られています。"),
		d(SymFromBadDomain, 2.0, s, "The sender's domain is not a valid host name (no dot, or characters a domain cannot have): no reply can reach it.",
			"差出人のドメインが正しいホスト名ではありません(ドットがない、使えない文字を含む等)。返信は届きません。"),
		d(SymFromBrokenList, 1.5, s, "The From field has an unquoted comma that splits off a piece without an address, a bulk-toolkit habit that makes mail programs show a fake sender name.",
			"From 欄に引用符のないカンマがあり、アドレスのない部分が分かれています。大量送信ツールの癖で、メールソフトに偽の差出人名を表示させます。"),
		d(SymFancyText, 2.0, s, "The subject or sender name uses styled Unicode letters or mixes Latin with look-alike Cyrillic/Greek letters to evade filters.",
			"件名や差出人名に装飾用のUnicode文字や、ラテン文字に似たキリル/ギリシャ文字の混在が使われています(フィルター回避の手口)。"),
		d(SymEmojiSubject, 0.5, s, "The subject is laden with emoji, as bulk marketing is.",
			"件名に絵文字が多用されています(大量配信の広告によくある形)。"),
		d(SymReplyEmojiSubject, 1.5, s, "The subject poses as a reply or forward (\"Re:\", \"Fwd:\") but carries emoji and answers no thread: marketing dressed as conversation.",
			"件名が返信・転送(Re:/Fwd:)を装っていますが、絵文字入りで返信元もありません。会話を装った広告です。"),
		d(SymEmojiName, 0.3, s, "The sender's display name contains emoji.",
			"差出人の表示名に絵文字が入っています。"),
		d(SymRcptInSubject, 1.0, s, "The subject or sender name contains the recipient's own address (mass personalisation).",
			"件名や差出人名に受信者自身のメールアドレスが入っています(大量送信での差し込み)。"),
		d(SymFromIsRcpt, 1.0, s, "The message claims to come from the recipient's own address (forged: sextortion and spam do this).",
			"受信者自身のアドレスから送られたように見せかけています(脅迫メールやスパムの偽装)。"),
		d(SymURLRandomDomain, 1.0, s, "A link goes to a domain whose name is a random string.",
			"リンク先のドメイン名がランダムな文字列です。"),
		d(SymURLKitPath, 1.5, p, "A link's path looks like a phishing kit on a hacked or rented site (login/verify pages under wp-content, .well-known, owa, ...php).",
			"リンクのパスが、乗っ取られたサイトや借りたサーバーに置かれたフィッシングキット(wp-content や .well-known 配下のログイン/確認ページ等)の形です。"),
		d(SymURLRcptInLink, 1.5, p, "A link carries the recipient's address in its fragment or base64-encoded, so the fake login page is pre-filled.",
			"リンクに受信者のメールアドレスが(URLの#以降やbase64で)埋め込まれ、偽のログイン画面に自動入力されるようになっています。"),
		d(SymURLProxyWrapper, 1.5, p, "A link is wrapped in a translation or AMP proxy (translate.goog, ampproject.org) that hides the real site from filters.",
			"リンクが翻訳やAMPのプロキシ(translate.goog、ampproject.org)で包まれ、本当の行き先を隠しています。"),
		d(SymImageLinkOnly, 1.5, s, "The HTML is little more than an image and a link: the text is in the picture, where filters cannot read it.",
			"HTML本文が画像とリンクだけでほぼ構成され、文章が画像の中にあるためフィルターが読めません。"),
		d(SymShortCTA, 0.5, s, "A few words and a link to click, with no thread and no attachment.",
			"短い文章とクリックを促すリンクだけのメールです(返信でも添付付きでもありません)。"),
		d(SymHiddenPoison, 1.5, s, "A long stretch of text is hidden from the reader, padding meant to poison content filters.",
			"読み手には見えない長い文章が埋め込まれています。内容フィルターを欺くための詰め物です。"),
		d(SymAuthorityClaim, 2.5, p, "The message presents itself as a public authority (tax office, customs, police, court, post) but does not come from a government domain.",
			"税務署・税関・警察・裁判所・郵便などの公的機関を名乗っていますが、政府機関のドメインから送られていません。"),
		d(SymServiceDeskClaim, 2.5, p, "The sender poses as an IT desk or mail administrator but writes from outside your organisation.",
			"情報システム部門やメール管理者を名乗っていますが、組織の外部から送られています。"),
		d(SymBrandTypo, 3.0, p, "The sender's name misspells a brand (\"Microsft\", \"NetfIix\", \"Arnazon\") and the mail is not from that brand: a claim made to slip past name checks.",
			"差出人名がブランド名をわざと誤記しています(「Microsft」「NetfIix」等)。ブランドからのメールでもありません。名前の検査をすり抜ける手口です。"),
		d(SymBrandClaim, 2.5, p, "The subject or sign-off names a brand, but neither the sender, the reply address nor any link belongs to it.",
			"件名や署名でブランドを名乗っていますが、差出人・返信先・リンクのどれもそのブランドのものではありません。"),
	)
}
