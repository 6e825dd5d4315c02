package sender

import "github.com/sekisho/sekisho/internal/pipeline"

// Symbols.
const (
	SymFreemail          = "FROM_FREEMAIL"
	SymDisposable        = "FROM_DISPOSABLE"
	SymDisplayBrand      = "FROM_DISPLAY_BRAND"
	SymBrandFreemail     = "FROM_BRAND_FREEMAIL"
	SymLocalBrand        = "FROM_LOCAL_BRAND"
	SymLookalike         = "FROM_LOOKALIKE"
	SymLookalikeOrg      = "FROM_LOOKALIKE_ORG"
	SymReplyToLookalike  = "FROM_REPLYTO_LOOKALIKE"
	SymMixedScript       = "FROM_MIXED_SCRIPT"
	SymNameAddrMismatch  = "FROM_NAME_ADDR_MISMATCH"
	SymCompanyFreemail   = "FROM_COMPANY_FREEMAIL"
	SymReplyToFreemail   = "FROM_REPLYTO_FREEMAIL"
	SymFirstContact      = "FROM_FIRST_CONTACT"
	SymThreadHijack      = "FROM_THREAD_HIJACK"
	SymUnknownThread     = "FROM_UNKNOWN_THREAD"
	SymQuotesOther       = "FROM_REPLY_QUOTES_OTHER"
	SymProtectedName     = "BEC_PROTECTED_NAME"
	SymExecFreemail      = "BEC_NAME_FREEMAIL"
	SymReplyToElsewhere  = "BEC_REPLYTO_ELSEWHERE"
	SymOrgSpoof          = "BEC_ORG_DOMAIN_SPOOF"
	SymPaymentRequest    = "BEC_PAYMENT_REQUEST"
	SymExecTitleFreemail = "BEC_EXEC_TITLE_FREEMAIL"
	SymFirstContactImp   = "BEC_FIRST_CONTACT_IMPERSONATION"
)

func init() {
	const g = "sender"
	s, p, m, b := pipeline.CategorySpam, pipeline.CategoryPhishing, pipeline.CategoryMalware, pipeline.CategoryBEC
	pipeline.Register(
		pipeline.SymbolDef{Name: SymFreemail, Weight: 0.1, Category: s, Group: g,
			EN: "The sender uses a free webmail or consumer mailbox.",
			JA: "送信者はフリーメールまたは個人向けメールアドレスを使っています。"},
		pipeline.SymbolDef{Name: SymDisposable, Weight: 1.5, Category: s, Group: g,
			EN: "The sender uses a disposable (throw-away) address.",
			JA: "送信者は使い捨てメールアドレスを使っています。"},
		pipeline.SymbolDef{Name: SymDisplayBrand, Weight: 3.0, Category: p, Group: g,
			EN: "The display name names a well-known brand, but the address is not one of that brand's domains.",
			JA: "表示名は有名ブランドを名乗っていますが、アドレスはそのブランドのドメインではありません。"},
		pipeline.SymbolDef{Name: SymBrandFreemail, Weight: 2.0, Category: p, Group: g,
			EN: "A brand is claimed from a free webmail address (brands do not write from webmail).",
			JA: "フリーメールのアドレスからブランドを名乗っています(企業はフリーメールから送信しません)。"},
		pipeline.SymbolDef{Name: SymLocalBrand, Weight: 2.0, Category: p, Group: g,
			EN: "The address's user part names a brand (e.g. micros0ftsupport@) on a domain that is not the brand's.",
			JA: "アドレスのユーザー名部分がブランド名を含みます(例: micros0ftsupport@)が、ドメインはそのブランドのものではありません。"},
		pipeline.SymbolDef{Name: SymLookalike, Weight: 4.0, Category: p, Group: g,
			EN: "The sender domain imitates a brand's domain (look-alike characters, typo, added words or another TLD).",
			JA: "送信者ドメインがブランドのドメインを模倣しています(似た文字、タイプミス、単語の付加、別TLD)。"},
		pipeline.SymbolDef{Name: SymLookalikeOrg, Weight: 5.0, Category: b, Group: g,
			EN: "The sender domain imitates your own or a partner's domain.",
			JA: "送信者ドメインが自組織または取引先のドメインを模倣しています。"},
		pipeline.SymbolDef{Name: SymReplyToLookalike, Weight: 3.0, Category: p, Group: g,
			EN: "Replies would go to a domain that imitates a brand's, your own or a partner's domain.",
			JA: "返信先が、ブランド・自組織・取引先のドメインを模倣したドメインです。"},
		pipeline.SymbolDef{Name: SymMixedScript, Weight: 2.0, Category: p, Group: g,
			EN: "The sender domain mixes alphabets (Latin with Cyrillic or Greek), a homograph trick.",
			JA: "送信者ドメインが複数の文字体系(ラテン文字とキリル/ギリシャ文字)を混ぜています(ホモグラフ攻撃)。"},
		pipeline.SymbolDef{Name: SymNameAddrMismatch, Weight: 1.5, Category: p, Group: g,
			EN: "The display name shows an address at another domain than the real sender (a spoofed sender, as in Emotet mail).",
			JA: "表示名に実際の送信者とは別ドメインのアドレスが書かれています(Emotet 等の送信者偽装)。"},
		pipeline.SymbolDef{Name: SymCompanyFreemail, Weight: 1.0, Category: p, Group: g,
			EN: "The display name is a company's (株式会社, Co., Ltd., Inc.) but the address is free webmail.",
			JA: "表示名は会社名(株式会社、Co., Ltd. 等)ですが、アドレスはフリーメールです。"},
		pipeline.SymbolDef{Name: SymReplyToFreemail, Weight: 0.5, Category: s, Group: g,
			EN: "Replies are redirected to a free webmail address at another domain.",
			JA: "返信先が別ドメインのフリーメールアドレスに変えられています。"},
		pipeline.SymbolDef{Name: SymFirstContact, Weight: 0.2, Category: s, Group: g,
			EN: "First contact: neither this address nor its domain has corresponded with the recipient before.",
			JA: "初めての送信者: このアドレスもそのドメインも、受信者とやり取りした履歴がありません。"},
		pipeline.SymbolDef{Name: SymThreadHijack, Weight: 4.0, Category: m, Group: g,
			EN: "A reply in a thread the recipient had with someone else: a hijacked conversation (Emotet).",
			JA: "受信者が別の相手と交わしたスレッドへの返信です。会話の乗っ取り(Emotet)の疑いがあります。"},
		pipeline.SymbolDef{Name: SymUnknownThread, Weight: 1.0, Category: s, Group: g,
			EN: "A reply from a first-time sender to messages the recipient never saw.",
			JA: "初めての送信者から、受信者が見たことのないメッセージへの返信が届いています。"},
		pipeline.SymbolDef{Name: SymQuotesOther, Weight: 0.5, Category: m, Group: g,
			EN: "A reply quoting mail from a third party, not from this sender or the recipient.",
			JA: "送信者でも受信者でもない第三者のメールを引用した返信です。"},
		pipeline.SymbolDef{Name: SymProtectedName, Weight: 4.0, Category: b, Group: g,
			EN: "The display name is one of your protected people, but the mail comes from outside your organisation.",
			JA: "表示名が保護対象の役員・職員の名前ですが、組織外から送られています。"},
		pipeline.SymbolDef{Name: SymExecFreemail, Weight: 2.0, Category: b, Group: g,
			EN: "A protected person's name is used from a free webmail address.",
			JA: "保護対象者の名前がフリーメールアドレスから使われています。"},
		pipeline.SymbolDef{Name: SymReplyToElsewhere, Weight: 1.5, Category: b, Group: g,
			EN: "A protected person's name or your own domain is used, and replies go to another domain.",
			JA: "保護対象者の名前または自組織ドメインが使われ、返信先が別ドメインになっています。"},
		pipeline.SymbolDef{Name: SymOrgSpoof, Weight: 5.0, Category: b, Group: g,
			EN: "The From address is in your own domain, but the message came from outside and is not authenticated.",
			JA: "From は自組織ドメインですが、外部から届き、認証されていません。"},
		pipeline.SymbolDef{Name: SymPaymentRequest, Weight: 3.0, Category: b, Group: g,
			EN: "A payment, wire transfer, gift card or bank-detail request from a sender that is not established.",
			JA: "実績のない送信者からの送金・振込・ギフトカード・口座変更の依頼です。"},
		pipeline.SymbolDef{Name: SymExecTitleFreemail, Weight: 2.0, Category: b, Group: g,
			EN: "An executive title (CEO, CFO, 社長, 部長...) in the display name of a free webmail address.",
			JA: "フリーメールアドレスの表示名に役職名(CEO、CFO、社長、部長など)が入っています。"},
		pipeline.SymbolDef{Name: SymFirstContactImp, Weight: 1.5, Category: b, Group: g,
			EN: "A first-time sender that also impersonates a person, brand or domain.",
			JA: "初めての送信者が、人物・ブランド・ドメインのなりすましも行っています。"},
	)
}
