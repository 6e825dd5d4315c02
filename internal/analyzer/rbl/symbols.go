package rbl

import "github.com/sekisho/sekisho/internal/pipeline"

// Symbols of the built-in lists. Each names the list and the meaning of
// the return code the list documents.
const (
	SymSpamhausSBL  = "RBL_SPAMHAUS_SBL"
	SymSpamhausCSS  = "RBL_SPAMHAUS_CSS"
	SymSpamhausXBL  = "RBL_SPAMHAUS_XBL"
	SymSpamhausDROP = "RBL_SPAMHAUS_DROP"
	SymSpamhausPBL  = "RBL_SPAMHAUS_PBL"
	SymBarracuda    = "RBL_BARRACUDA"
	SymSpamCop      = "RBL_SPAMCOP"
	SymMailspikeBL  = "RBL_MAILSPIKE_BL"
	SymMailspikeW   = "RBL_MAILSPIKE_WORST"
	SymMailspikeVB  = "RBL_MAILSPIKE_VERYBAD"
	SymMailspikeB   = "RBL_MAILSPIKE_BAD"
	SymUCEProtect1  = "RBL_UCEPROTECT_L1"
	SymDNSWLNone    = "RWL_DNSWL_NONE"
	SymDNSWLLow     = "RWL_DNSWL_LOW"
	SymDNSWLMed     = "RWL_DNSWL_MED"
	SymDNSWLHigh    = "RWL_DNSWL_HI"

	SymDBLSpam         = "URIBL_DBL_SPAM"
	SymDBLPhish        = "URIBL_DBL_PHISH"
	SymDBLMalware      = "URIBL_DBL_MALWARE"
	SymDBLBotnet       = "URIBL_DBL_BOTNET"
	SymDBLAbuseSpam    = "URIBL_DBL_ABUSED_SPAM"
	SymDBLAbuseRedir   = "URIBL_DBL_ABUSED_REDIR"
	SymDBLAbusePhish   = "URIBL_DBL_ABUSED_PHISH"
	SymDBLAbuseMalware = "URIBL_DBL_ABUSED_MALWARE"
	SymDBLAbuseBotnet  = "URIBL_DBL_ABUSED_BOTNET"
	SymSURBLPhish      = "URIBL_SURBL_PH"
	SymSURBLMalware    = "URIBL_SURBL_MW"
	SymSURBLAbuse      = "URIBL_SURBL_ABUSE"
	SymSURBLCracked    = "URIBL_SURBL_CR"
	SymURIBLBlack      = "URIBL_URIBL_BLACK"
	SymURIBLGrey       = "URIBL_URIBL_GREY"
	SymURIBLRed        = "URIBL_URIBL_RED"

	SymHBLEmail     = "RBL_HBL_EMAIL"
	SymHBLFileMal   = "RBL_HBL_FILE_MALICIOUS"
	SymHBLFileSusp  = "RBL_HBL_FILE_SUSPICIOUS"
	SymHBLCryptoWlt = "RBL_HBL_CRYPTO_WALLET"
)

func init() {
	sp, ph, mw, fr := pipeline.CategorySpam, pipeline.CategoryPhishing, pipeline.CategoryMalware, pipeline.CategoryFraud
	cl := pipeline.CategoryClean
	def := func(name string, w float64, c pipeline.Category, en, ja string) pipeline.SymbolDef {
		return pipeline.SymbolDef{Name: name, Weight: w, Category: c, Group: "rbl", EN: en, JA: ja}
	}
	pipeline.Register(
		def(SymSpamhausSBL, 4, sp, "Sending address is on the Spamhaus SBL (spam sources)", "送信元アドレスが Spamhaus SBL(スパム送信元)に登録されている"),
		def(SymSpamhausCSS, 3, sp, "Sending address is on the Spamhaus CSS (low-reputation snowshoe senders)", "送信元アドレスが Spamhaus CSS(分散型の低評価送信元)に登録されている"),
		def(SymSpamhausXBL, 5, sp, "Sending address is on the Spamhaus XBL (hijacked or infected host)", "送信元アドレスが Spamhaus XBL(乗っ取り・感染ホスト)に登録されている"),
		def(SymSpamhausDROP, 6, sp, "Sending address is in a Spamhaus DROP network (hijacked ranges)", "送信元アドレスが Spamhaus DROP(乗っ取られたネットワーク)に含まれる"),
		def(SymSpamhausPBL, 2.5, sp, "Sending address is on the Spamhaus PBL (end-user range that should not send directly)", "送信元アドレスが Spamhaus PBL(直接送信すべきでない利用者向け範囲)に登録されている"),
		def(SymBarracuda, 3, sp, "Sending address is on the Barracuda reputation block list", "送信元アドレスが Barracuda のブロックリストに登録されている"),
		def(SymSpamCop, 3, sp, "Sending address is on the SpamCop block list", "送信元アドレスが SpamCop のブロックリストに登録されている"),
		def(SymMailspikeBL, 2.5, sp, "Sending address is on the Mailspike block list", "送信元アドレスが Mailspike のブロックリストに登録されている"),
		def(SymMailspikeW, 3, sp, "Sending address has the worst Mailspike reputation", "送信元アドレスの Mailspike 評価が最低"),
		def(SymMailspikeVB, 2, sp, "Sending address has a very bad Mailspike reputation", "送信元アドレスの Mailspike 評価が非常に悪い"),
		def(SymMailspikeB, 1, sp, "Sending address has a bad Mailspike reputation", "送信元アドレスの Mailspike 評価が悪い"),
		def(SymUCEProtect1, 1.5, sp, "Sending address is on UCEPROTECT level 1", "送信元アドレスが UCEPROTECT レベル1に登録されている"),
		def(SymDNSWLNone, 0, cl, "Sending address is on DNSWL with no trust (known, not vouched for)", "送信元アドレスが DNSWL に登録(信頼度なし)"),
		def(SymDNSWLLow, -1, cl, "Sending address is on DNSWL with low trust", "送信元アドレスが DNSWL に登録(信頼度 低)"),
		def(SymDNSWLMed, -2, cl, "Sending address is on DNSWL with medium trust", "送信元アドレスが DNSWL に登録(信頼度 中)"),
		def(SymDNSWLHigh, -3.5, cl, "Sending address is on DNSWL with high trust", "送信元アドレスが DNSWL に登録(信頼度 高)"),

		def(SymDBLSpam, 6, sp, "A link, sender or Reply-To domain is on the Spamhaus DBL as a spam domain", "リンク・送信者・返信先のドメインが Spamhaus DBL にスパムドメインとして登録されている"),
		def(SymDBLPhish, 7.5, ph, "A link, sender or Reply-To domain is on the Spamhaus DBL as a phishing domain", "リンク・送信者・返信先のドメインが Spamhaus DBL にフィッシングドメインとして登録されている"),
		def(SymDBLMalware, 7.5, mw, "A link, sender or Reply-To domain is on the Spamhaus DBL as a malware domain", "リンク・送信者・返信先のドメインが Spamhaus DBL にマルウェア配布ドメインとして登録されている"),
		def(SymDBLBotnet, 7.5, mw, "A link, sender or Reply-To domain is on the Spamhaus DBL as a botnet C&C domain", "リンク・送信者・返信先のドメインが Spamhaus DBL にボットネット C&C として登録されている"),
		def(SymDBLAbuseSpam, 3, sp, "A domain is on the Spamhaus DBL as an abused legitimate site used in spam", "ドメインが Spamhaus DBL に悪用された正規サイト(スパム)として登録されている"),
		def(SymDBLAbuseRedir, 1.5, sp, "A domain is on the Spamhaus DBL as an abused redirector", "ドメインが Spamhaus DBL に悪用されたリダイレクタとして登録されている"),
		def(SymDBLAbusePhish, 5, ph, "A domain is on the Spamhaus DBL as an abused legitimate site hosting phishing", "ドメインが Spamhaus DBL に悪用された正規サイト(フィッシング)として登録されている"),
		def(SymDBLAbuseMalware, 5, mw, "A domain is on the Spamhaus DBL as an abused legitimate site hosting malware", "ドメインが Spamhaus DBL に悪用された正規サイト(マルウェア)として登録されている"),
		def(SymDBLAbuseBotnet, 5, mw, "A domain is on the Spamhaus DBL as an abused legitimate site used for botnet C&C", "ドメインが Spamhaus DBL に悪用された正規サイト(C&C)として登録されている"),
		def(SymSURBLPhish, 7.5, ph, "A link, sender or Reply-To domain is on SURBL's phishing list (PH)", "リンク・送信者・返信先のドメインが SURBL のフィッシング(PH)に登録されている"),
		def(SymSURBLMalware, 7.5, mw, "A link, sender or Reply-To domain is on SURBL's malware list (MW)", "リンク・送信者・返信先のドメインが SURBL のマルウェア(MW)に登録されている"),
		def(SymSURBLAbuse, 5, sp, "A link, sender or Reply-To domain is on SURBL's abuse list (spam and abuse)", "リンク・送信者・返信先のドメインが SURBL の ABUSE(スパム・悪用)に登録されている"),
		def(SymSURBLCracked, 4, ph, "A link domain is on SURBL's cracked-sites list (CR)", "リンクのドメインが SURBL の改ざんサイト(CR)に登録されている"),
		def(SymURIBLBlack, 6, sp, "A link, sender or Reply-To domain is on URIBL black", "リンク・送信者・返信先のドメインが URIBL black に登録されている"),
		def(SymURIBLGrey, 1.5, sp, "A link, sender or Reply-To domain is on URIBL grey (bulk senders)", "リンク・送信者・返信先のドメインが URIBL grey(大量送信)に登録されている"),
		def(SymURIBLRed, 3, sp, "A link, sender or Reply-To domain is on URIBL red (new abuse)", "リンク・送信者・返信先のドメインが URIBL red(新規の悪用)に登録されている"),

		def(SymHBLEmail, 6, fr, "An e-mail address of the message is on the Spamhaus HBL (drop boxes of fraud and spam)", "メール中のアドレスが Spamhaus HBL(詐欺・スパムの受け取り用アドレス)に登録されている"),
		def(SymHBLFileMal, 8, mw, "An attachment's hash is on the Spamhaus HBL as malicious", "添付ファイルのハッシュが Spamhaus HBL に悪性として登録されている"),
		def(SymHBLFileSusp, 3, mw, "An attachment's hash is on the Spamhaus HBL as suspicious", "添付ファイルのハッシュが Spamhaus HBL に不審として登録されている"),
		def(SymHBLCryptoWlt, 5, fr, "A crypto-currency wallet in the text is on the Spamhaus HBL (extortion and fraud)", "本文中の暗号資産ウォレットが Spamhaus HBL(恐喝・詐欺)に登録されている"),
	)
}
